using ClientFlow.Automation.Email;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ClientFlow.Web.Pages;

/// <summary>
/// The unsubscribe link: GET asks, POST unsubscribes. POST takes no antiforgery token because mail
/// clients post <c>List-Unsubscribe=One-Click</c> here themselves (RFC 8058); it is idempotent and
/// keyed by the message's unguessable token.
/// </summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
public sealed class UnsubscribeModel(EmailEngagement engagement) : PageModel
{
    public string SenderName { get; private set; } = string.Empty;

    public bool Done { get; private set; }

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken cancellationToken)
    {
        var target = await engagement.FindAsync(token, cancellationToken);
        if (target is null)
        {
            return NotFound();
        }

        SenderName = target.SenderName;
        Done = target.AlreadyUnsubscribed;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string token, CancellationToken cancellationToken)
    {
        var target = await engagement.FindAsync(token, cancellationToken);
        if (target is null || !await engagement.UnsubscribeAsync(token, cancellationToken))
        {
            return NotFound();
        }

        SenderName = target.SenderName;
        Done = true;
        return Page();
    }
}
