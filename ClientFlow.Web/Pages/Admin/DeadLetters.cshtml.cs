using System.Security.Claims;
using ClientFlow.Automation.Outbox;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ClientFlow.Web.Pages.Admin;

/// <summary>
/// What the engine gave up on (dead-lettered outbox rows and inbox events, unconfirmed emails), with the
/// reason and a retry button. Viewing and retrying are audited.
/// </summary>
public sealed class DeadLettersModel(DeadLetters deadLetters) : PageModel
{
    public IReadOnlyList<DeadLetter> Letters { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) => Letters = await deadLetters.ListAsync(ActorId, cancellationToken);

    public async Task<IActionResult> OnPostRetryAsync(DeadLetterKind kind, Guid id, CancellationToken cancellationToken)
    {
        if (!await deadLetters.RetryAsync(ActorId, kind, id, cancellationToken))
        {
            return NotFound();
        }

        TempData["Flash"] = kind == DeadLetterKind.UnconfirmedEmail ? "The email is queued to be sent again." : "Queued for another try.";
        return RedirectToPage();
    }

    private string ActorId => User.FindFirstValue(ClaimTypes.NameIdentifier)!;
}
