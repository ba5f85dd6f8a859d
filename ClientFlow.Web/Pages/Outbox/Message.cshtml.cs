using System.Text.Json;
using System.Text.RegularExpressions;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Email;
using ClientFlow.Web.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Web.Pages.Outbox;

/// <summary>
/// One email as it was sent: headers, the HTML body in a sandboxed frame, the text body, and its tracking
/// links as relative paths, so opens, clicks and unsubscribes can be followed by hand on any host.
/// </summary>
public sealed class MessageModel(ClientFlowDbContext db) : PageModel
{
    public EmailMessage Message { get; private set; } = null!;

    /// <summary>Relative: <c>/t/o/{token}</c>.</summary>
    public string OpenPath { get; private set; } = string.Empty;

    /// <summary>Relative: <c>/u/{token}</c>.</summary>
    public string UnsubscribePath { get; private set; } = string.Empty;

    /// <summary>Each tracked link: its relative click path (<c>/t/c/{token}/{n}</c>) and the original target.</summary>
    public IReadOnlyList<TrackedLink> Links { get; private set; } = [];

    /// <summary>Only workflow sends carry an open pixel and tracked links; tests and notifications do not.</summary>
    public bool IsTracked => Message.Kind == EmailKind.Workflow;

    /// <summary>Notifications to the IB carry no unsubscribe link.</summary>
    public bool HasUnsubscribeLink => Message.Kind != EmailKind.Notification;

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        // The tenant filter makes another tenant's message indistinguishable from a missing one: 404.
        var message = await db.EmailMessages.AsNoTracking().SingleOrDefaultAsync(m => m.Id == id, cancellationToken);
        if (message is null)
        {
            return NotFound();
        }

        Message = message;
        OpenPath = EmailTracking.OpenUrl(string.Empty, message.Token);
        UnsubscribePath = EmailTracking.UnsubscribeUrl(string.Empty, message.Token);
        var targets = JsonSerializer.Deserialize<List<string>>(message.LinksJson) ?? [];
        Links = targets.Select((target, index) => new TrackedLink(EmailTracking.ClickUrl(string.Empty, message.Token, index), target)).ToList();
        return Page();
    }

    /// <summary>The HTML body for the sandboxed frame, under the preview's CSP, without its open pixel: reading it here is not an open.</summary>
    public async Task<IActionResult> OnGetBodyAsync(Guid id, CancellationToken cancellationToken)
    {
        var message = await db.EmailMessages.AsNoTracking()
            .Where(m => m.Id == id)
            .Select(m => new { m.Token, m.HtmlBody })
            .SingleOrDefaultAsync(cancellationToken);
        if (message is null)
        {
            return NotFound();
        }

        SecurityHeaders.MarkEmailBody(HttpContext);
        Response.Headers.CacheControl = "no-store";
        return Content(WithoutOpenPixel(message.HtmlBody, message.Token), "text/html; charset=utf-8");
    }

    /// <summary>Points the open pixel (any origin's <c>/t/o/{token}</c>) at an empty image.</summary>
    internal static string WithoutOpenPixel(string html, string token) =>
        Regex.Replace(
            html,
            $"""src\s*=\s*(["'])[^"']*/t/o/{Regex.Escape(token)}\1""",
            "src=\"data:,\"",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
            TimeSpan.FromSeconds(1));

    public sealed record TrackedLink(string Path, string Target);
}
