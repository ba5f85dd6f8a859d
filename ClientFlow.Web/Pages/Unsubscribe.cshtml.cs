using ClientFlow.Automation.Email;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ClientFlow.Web.Pages;

/// <summary>
/// The unsubscribe link: GET asks, POST unsubscribes. POST takes no antiforgery token because mail
/// clients post <c>List-Unsubscribe=One-Click</c> here themselves (RFC 8058); it is idempotent and
/// keyed by the message's unguessable token. "Stop all email from this service" also puts the address on the
/// platform's suppression list, so no IB's email reaches it again.
/// </summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
public sealed class UnsubscribeModel(EmailEngagement engagement, Suppressions suppressions) : PageModel
{
    public string SenderName { get; private set; } = string.Empty;

    public bool Done { get; private set; }

    public bool StoppedAll { get; private set; }

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

    public async Task<IActionResult> OnPostStopAllAsync(string token, CancellationToken cancellationToken)
    {
        var target = await engagement.FindAsync(token, cancellationToken);
        if (target is null || !await engagement.UnsubscribeAsync(token, cancellationToken))
        {
            return NotFound();
        }

        await suppressions.AddAsync(target.Address, SuppressionReason.StoppedAll, "asked on the unsubscribe page", cancellationToken);
        SenderName = target.SenderName;
        Done = true;
        StoppedAll = true;
        return Page();
    }
}
