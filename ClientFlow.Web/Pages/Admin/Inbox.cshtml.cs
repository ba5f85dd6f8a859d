using ClientFlow.Automation.Data;
using ClientFlow.Automation.Webhooks;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Web.Pages.Admin;

/// <summary>
/// The webhook inbox for admins: the latest inbound events with what each did, so a rejected or
/// ignored event is visible rather than silently dropped. The inbox is account-wide, not tenant data.
/// </summary>
public sealed class InboxModel(ClientFlowDbContext db) : PageModel
{
    public const int Shown = 100;

    public IReadOnlyList<InboundEvent> Events { get; private set; } = [];

    public IReadOnlyDictionary<InboundStatus, int> Counts { get; private set; } = new Dictionary<InboundStatus, int>();

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Events = await db.InboundEvents.AsNoTracking().OrderByDescending(e => e.ReceivedAt).Take(Shown).ToListAsync(cancellationToken);
        Counts = await db.InboundEvents.GroupBy(e => e.Status).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
    }
}
