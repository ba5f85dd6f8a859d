using ClientFlow.Automation.Conversions;
using ClientFlow.Automation.Counters;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Automation.Workflows;
using ClientFlow.Web.Pages.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Web.Pages;

/// <summary>The IB's dashboard: the capture, nurture, convert, retain funnel, their workflows and their newest leads.</summary>
public sealed class IndexModel(ClientFlowDbContext db, WorkflowEditor editor, ITenantContext tenant, TimeProvider clock) : PageModel
{
    /// <summary>Outline lines shown per workflow before "…".</summary>
    public const int OutlineLines = 8;

    public int TotalLeads { get; private set; }

    public int LeadsThisMonth { get; private set; }

    public int EmailsSent { get; private set; }

    public int LeadsNurtured { get; private set; }

    public int ConvertedLeads { get; private set; }

    /// <summary>CONVERT: leads a broker reported a first-time deposit for (not reversed), all time and this month.</summary>
    public int FundedLeads { get; private set; }

    public int FundedThisMonth { get; private set; }

    /// <summary>The FTD amounts of the funded leads, per currency ("250 USD, 100 EUR").</summary>
    public string FundedAmount { get; private set; } = string.Empty;

    public string FundedAmountThisMonth { get; private set; } = string.Empty;

    /// <summary>CONVERT's caption: funded this month and in all, with the FTD amounts of each, and the leads tagged converted.</summary>
    public string ConvertCaption =>
        $"funded (first deposit): {FundedThisMonth} this month{(FundedAmountThisMonth.Length > 0 ? $" ({FundedAmountThisMonth})" : string.Empty)}"
        + $"{(FundedAmount.Length > 0 ? $", {FundedAmount} in all" : string.Empty)}; {ConvertedLeads} tagged converted";

    /// <summary>Leads won back: tagged <c>re-engaged</c> (RETAIN's figure, see <see cref="Funnel"/>).</summary>
    public int LeadsReEngaged { get; private set; }

    /// <summary>The four stages' states, by stage.</summary>
    public IReadOnlyDictionary<FunnelStage, StageState> Stages { get; private set; } = new Dictionary<FunnelStage, StageState>();

    public IReadOnlyList<WorkflowCard> Workflows { get; private set; } = [];

    public IReadOnlyList<Lead> RecentLeads { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (User.IsInRole(Roles.Admin) && !User.IsInRole(Roles.Ib))
        {
            return RedirectToPage("/Admin/Tenants");
        }

        if (!User.IsInRole(Roles.Ib))
        {
            return Page();
        }

        // The counts come from the IB's counters, kept by the database with the rows they count ("this month" too: a
        // month when every lead is new would otherwise count all of them on each load).
        var now = clock.GetUtcNow();
        var monthStart = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var counters = await db.CountersAsync(cancellationToken);
        TotalLeads = counters.Of(TenantCounterTriggers.Leads);
        LeadsThisMonth = counters.Of(TenantCounterTriggers.LeadsCreatedIn(now));
        EmailsSent = counters.Of(TenantCounterTriggers.WorkflowEmailsSent);
        LeadsNurtured = counters.Of(TenantCounterTriggers.LeadsNurtured);
        ConvertedLeads = counters.Of(TenantCounterTriggers.LeadsConverted);

        // Funded leads are read along the (tenant, funded) index; their amounts are few and summed here.
        var funded = await db.Leads.Where(l => l.FundedAt != null).Select(l => new { l.FundedAt, l.FtdAmount, l.FtdCurrency }).ToListAsync(cancellationToken);
        FundedLeads = funded.Count;
        FundedThisMonth = funded.Count(f => f.FundedAt >= monthStart);
        FundedAmount = ConversionReport.Amounts(funded.Select(f => (f.FtdAmount, f.FtdCurrency)));
        FundedAmountThisMonth = ConversionReport.Amounts(funded.Where(f => f.FundedAt >= monthStart).Select(f => (f.FtdAmount, f.FtdCurrency)));
        LeadsReEngaged = await db.LeadTags.CountAsync(t => t.Slug == Funnel.ReEngagedTag, cancellationToken);
        Workflows = await WorkflowCardsAsync(cancellationToken);

        // Capture runs until the IB's lead limit refuses captures; the other stages run while one of their workflows does.
        var maxLeads = await db.Tenants.Where(t => t.Id == tenant.TenantId).Select(t => t.MaxLeads).SingleAsync(cancellationToken);
        var stages = new Dictionary<FunnelStage, StageState> { [FunnelStage.Capture] = TotalLeads >= maxLeads ? StageState.Paused : StageState.Running };
        foreach (var stage in new[] { FunnelStage.Nurture, FunnelStage.Convert, FunnelStage.Retain })
        {
            stages[stage] = Funnel.StateOf(Workflows.Where(w => w.Stage == stage).Select(w => (w.IsOn, w.IsPublished)).ToList());
        }

        Stages = stages;
        RecentLeads = await db.Leads.AsNoTracking().OrderByDescending(l => l.CreatedAt).Take(5).ToListAsync(cancellationToken);
        return Page();
    }

    private async Task<IReadOnlyList<WorkflowCard>> WorkflowCardsAsync(CancellationToken cancellationToken)
    {
        var workflows = await editor.ListAsync(cancellationToken);
        if (workflows.Count == 0)
        {
            return [];
        }

        var names = await editor.TemplateNamesAsync(cancellationToken);
        var versionIds = workflows.Where(w => w.PublishedVersionId != null).Select(w => w.PublishedVersionId!.Value).ToList();
        var published = await db.WorkflowVersions.AsNoTracking().Where(v => versionIds.Contains(v.Id))
            .ToDictionaryAsync(v => v.Id, v => v.DefinitionJson, cancellationToken);
        return workflows.Select(w =>
        {
            var definition = w.PublishedVersionId is { } id && published.TryGetValue(id, out var json) ? WorkflowDefinition.FromJson(json) : w.Draft;
            var lines = Outline.Of(definition, names);
            return new WorkflowCard(w.Id, w.Name, w.IsOn, w.PublishedVersionId is not null, Funnel.StageOf(definition.Trigger), lines.Take(OutlineLines).ToList(), lines.Count > OutlineLines);
        }).ToList();
    }

    /// <summary>A workflow on the dashboard: name, ON/OFF, its stage and the first lines of its outline (the published version's, else the draft's).</summary>
    public sealed record WorkflowCard(Guid Id, string Name, bool IsOn, bool IsPublished, FunnelStage Stage, IReadOnlyList<Outline.Line> Outline, bool IsTruncated);
}
