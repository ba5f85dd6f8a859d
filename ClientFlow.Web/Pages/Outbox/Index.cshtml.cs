using ClientFlow.Automation.Data;
using ClientFlow.Automation.Email;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClientFlow.Web.Pages.Outbox;

/// <summary>The IB's emails, newest first: what went out (or is queued), to whom, and what the lead did with it.</summary>
public sealed class IndexModel(ClientFlowDbContext db, IOptions<EmailOptions> email) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true, Name = "p")] // "page" is Razor Pages' own route value
    public int PageNumber { get; set; } = 1;

    public IReadOnlyList<MessageRow> Messages { get; private set; } = [];

    public int TotalCount { get; private set; }

    public int PageCount => Math.Max(1, (TotalCount + PageSize - 1) / PageSize);

    public EmailChannelKind Channel => email.Value.Channel;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        TotalCount = await db.EmailMessages.CountAsync(cancellationToken);
        PageNumber = Math.Clamp(PageNumber, 1, PageCount);
        // A projection: the list never loads the bodies.
        Messages = await db.EmailMessages.AsNoTracking()
            .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id)
            .Skip((PageNumber - 1) * PageSize).Take(PageSize)
            .Select(m => new MessageRow(m.Id, m.To, m.Subject, m.Kind, m.Status, m.LastError, m.CreatedAt, m.SentAt, m.OpenedAt, m.ClickedAt))
            .ToListAsync(cancellationToken);
    }

    public sealed record MessageRow(
        Guid Id,
        string To,
        string Subject,
        EmailKind Kind,
        EmailStatus Status,
        string? LastError,
        DateTimeOffset CreatedAt,
        DateTimeOffset? SentAt,
        DateTimeOffset? OpenedAt,
        DateTimeOffset? ClickedAt);
}
