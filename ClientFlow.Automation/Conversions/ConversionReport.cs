using System.Globalization;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Workflows;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Automation.Conversions;

/// <summary>
/// What the IB is paid for, counted for the current tenant: clicks on referral links, then the leads a broker reported
/// registered, funded (FTD) and qualified, per broker connection, per workflow and per email, with a weekly series.
/// Every figure counts leads, not events (a lead that deposits twice is funded once). A workflow or email is credited
/// with a stage its lead reached after it enrolled or was sent the email. Clicks are people's: a link scanner's are
/// kept but not counted. The large tables are only counted in the database; what is read into memory is the leads a
/// broker reported and their runs and emails, which are few beside the leads captured.
/// </summary>
public sealed class ConversionReport(ClientFlowDbContext db, TimeProvider clock)
{
    /// <summary>How many weeks the chart shows, this one included.</summary>
    public const int Weeks = 12;

    public async Task<ConversionFigures> ReadAsync(CancellationToken cancellationToken)
    {
        var converted = await db.Leads.AsNoTracking().Where(l => l.RegisteredAt != null)
            .Select(l => new ReportedLead(l.Id, l.RegisteredAt!.Value, l.FundedAt, l.QualifiedAt))
            .ToDictionaryAsync(l => l.Id, cancellationToken);
        var clicks = db.ReferralClicks.Where(c => !c.IsMachine);

        return new ConversionFigures(
            await ByConnectionAsync(clicks, cancellationToken),
            await ByWorkflowAsync(clicks, converted, cancellationToken),
            await ByEmailAsync(clicks, converted, cancellationToken),
            await WeeklyAsync(clicks, cancellationToken));
    }

    /// <summary>
    /// Per step of the workflow's published version, keyed by the step's path in its tree: how many runs took it, how
    /// many wait there now, and for a send, its emails sent, opened, clicked and the leads funded after it.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, StepFigures>> StepsAsync(Workflow workflow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        if (workflow.PublishedVersionId is not { } versionId)
        {
            return new Dictionary<string, StepFigures>();
        }

        var version = await db.WorkflowVersions.AsNoTracking().SingleAsync(v => v.Id == versionId, cancellationToken);
        var runs = db.WorkflowRuns.Where(r => r.WorkflowId == workflow.Id && r.VersionId == versionId);
        var reached = await db.RunSteps.Join(runs, s => s.RunId, r => r.Id, (s, r) => s.StepIndex)
            .GroupBy(i => i).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        var waiting = await runs.Where(r => r.Status == RunStatus.Waiting && r.AtStep != null)
            .GroupBy(r => r.AtStep!.Value).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        var messages = db.EmailMessages.Where(m => m.Kind == EmailKind.Workflow && m.StepIndex != null)
            .Join(runs, m => m.RunId, r => r.Id, (m, r) => m);
        var sends = await messages.Where(m => m.SentAt != null)
            .GroupBy(m => m.StepIndex!.Value)
            .Select(g => new { g.Key, Sent = g.Count(), Opened = g.Count(m => m.OpenedAt != null), Clicked = g.Count(m => m.ClickedAt != null) })
            .ToDictionaryAsync(g => g.Key, cancellationToken);
        var fundedAfter = (await messages.Where(m => m.SentAt != null)
                .Join(db.Leads.Where(l => l.FundedAt != null), m => m.LeadId, l => l.Id, (m, l) => new { Step = m.StepIndex!.Value, m.SentAt, l.FundedAt })
                .ToListAsync(cancellationToken))
            .Where(x => x.FundedAt >= x.SentAt)
            .GroupBy(x => x.Step)
            .ToDictionary(g => g.Key, g => g.Count());

        var figures = new Dictionary<string, StepFigures>(StringComparer.Ordinal);
        var program = WorkflowProgram.Compile(version.Definition);
        foreach (var (path, index) in program.Paths)
        {
            var send = sends.GetValueOrDefault(index);
            figures[path] = new StepFigures(
                program[index].Step,
                reached.GetValueOrDefault(index),
                waiting.GetValueOrDefault(index),
                send is null ? null : new SendFigures(send.Sent, send.Opened, send.Clicked, fundedAfter.GetValueOrDefault(index)));
        }

        return figures;
    }

    private async Task<IReadOnlyList<FunnelRow>> ByConnectionAsync(IQueryable<ReferralClick> clicks, CancellationToken cancellationToken)
    {
        var connections = await db.BrokerConnections.AsNoTracking().OrderBy(c => c.Name).Select(c => new { c.Id, c.Name }).ToListAsync(cancellationToken);
        var clicked = await clicks.GroupBy(c => c.ConnectionId)
            .Select(g => new { g.Key, Leads = g.Select(c => c.LeadId).Distinct().Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Leads, cancellationToken);

        // A lead's standing events per connection: any of them means registered there (an FTD implies the registration).
        var standing = await db.BrokerEvents.AsNoTracking()
            .Where(e => e.LeadId != null && !e.Reversed && e.Kind != BrokerEventKind.Reversal)
            .Select(e => new { e.ConnectionId, LeadId = e.LeadId!.Value, e.Kind, e.Amount, e.Currency })
            .ToListAsync(cancellationToken);
        return connections.Select(c =>
        {
            var events = standing.Where(e => e.ConnectionId == c.Id).ToList();
            var ftds = events.Where(e => e.Kind == BrokerEventKind.Ftd).ToList();
            return new FunnelRow(
                c.Id,
                c.Name,
                null,
                clicked.GetValueOrDefault(c.Id),
                events.Select(e => e.LeadId).Distinct().Count(),
                ftds.Select(e => e.LeadId).Distinct().Count(),
                events.Where(e => e.Kind == BrokerEventKind.Qualified).Select(e => e.LeadId).Distinct().Count(),
                Amounts(ftds.Select(e => (e.Amount, e.Currency))));
        }).ToList();
    }

    private async Task<IReadOnlyList<FunnelRow>> ByWorkflowAsync(IQueryable<ReferralClick> clicks, IReadOnlyDictionary<Guid, ReportedLead> converted, CancellationToken cancellationToken)
    {
        var workflows = await db.Workflows.AsNoTracking().OrderBy(w => w.Name).Select(w => new { w.Id, w.Name }).ToListAsync(cancellationToken);
        var enrolled = await db.WorkflowRuns.GroupBy(r => r.WorkflowId)
            .Select(g => new { g.Key, Leads = g.Select(r => r.LeadId).Distinct().Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Leads, cancellationToken);
        var clicked = await clicks.Where(c => c.WorkflowId != null).GroupBy(c => c.WorkflowId!.Value)
            .Select(g => new { g.Key, Leads = g.Select(c => c.LeadId).Distinct().Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Leads, cancellationToken);

        // The runs of the leads a broker reported, with when each run started: a stage reached after it is the workflow's.
        var runs = await db.WorkflowRuns.AsNoTracking()
            .Join(db.Leads.Where(l => l.RegisteredAt != null), r => r.LeadId, l => l.Id, (r, l) => new { r.WorkflowId, r.LeadId, r.StartedAt })
            .ToListAsync(cancellationToken);
        var after = runs.GroupBy(r => r.WorkflowId).ToDictionary(g => g.Key, g => g.Select(r => (r.LeadId, r.StartedAt)).ToList());
        return workflows.Select(w =>
        {
            var reached = after.GetValueOrDefault(w.Id) ?? [];
            return new FunnelRow(
                w.Id,
                w.Name,
                enrolled.GetValueOrDefault(w.Id),
                clicked.GetValueOrDefault(w.Id),
                Count(reached, converted, l => l.RegisteredAt),
                Count(reached, converted, l => l.FundedAt),
                Count(reached, converted, l => l.QualifiedAt),
                string.Empty);
        }).ToList();
    }

    private async Task<IReadOnlyList<FunnelRow>> ByEmailAsync(IQueryable<ReferralClick> clicks, IReadOnlyDictionary<Guid, ReportedLead> converted, CancellationToken cancellationToken)
    {
        var sent = db.EmailMessages.Where(m => m.Kind == EmailKind.Workflow && m.SentAt != null && m.TemplateId != null);
        var counts = await sent.GroupBy(m => m.TemplateId!.Value)
            .Select(g => new { g.Key, Sent = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Sent, cancellationToken);
        var names = await db.EmailTemplates.AsNoTracking().Select(t => new { t.Id, t.Name }).ToDictionaryAsync(t => t.Id, t => t.Name, cancellationToken);
        var clicked = await clicks.Where(c => c.TemplateId != null).GroupBy(c => c.TemplateId!.Value)
            .Select(g => new { g.Key, Leads = g.Select(c => c.LeadId).Distinct().Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Leads, cancellationToken);
        var emails = await sent.AsNoTracking()
            .Join(db.Leads.Where(l => l.RegisteredAt != null), m => m.LeadId, l => l.Id, (m, l) => new { TemplateId = m.TemplateId!.Value, m.LeadId, m.SentAt })
            .ToListAsync(cancellationToken);
        var after = emails.GroupBy(m => m.TemplateId).ToDictionary(g => g.Key, g => g.Select(m => (m.LeadId!.Value, m.SentAt!.Value)).ToList());
        return counts.Keys
            .Select(id =>
            {
                var reached = after.GetValueOrDefault(id) ?? [];
                return new FunnelRow(
                    id,
                    names.GetValueOrDefault(id, "(deleted template)"),
                    counts[id],
                    clicked.GetValueOrDefault(id),
                    Count(reached, converted, l => l.RegisteredAt),
                    Count(reached, converted, l => l.FundedAt),
                    Count(reached, converted, l => l.QualifiedAt),
                    string.Empty);
            })
            .OrderBy(r => r.Name, StringComparer.CurrentCulture)
            .ToList();
    }

    private async Task<IReadOnlyList<WeekRow>> WeeklyAsync(IQueryable<ReferralClick> clicks, CancellationToken cancellationToken)
    {
        var today = clock.GetUtcNow().UtcDateTime.Date;
        var thisWeek = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
        var from = new DateTimeOffset(thisWeek.AddDays(-7 * (Weeks - 1)), TimeSpan.Zero);
        var clicked = await clicks.Where(c => c.ClickedAt >= from).Select(c => c.ClickedAt).ToListAsync(cancellationToken);
        var registered = await db.Leads.Where(l => l.RegisteredAt >= from).Select(l => l.RegisteredAt!.Value).ToListAsync(cancellationToken);
        var funded = await db.Leads.Where(l => l.FundedAt >= from).Select(l => l.FundedAt!.Value).ToListAsync(cancellationToken);

        int[] PerWeek(IEnumerable<DateTimeOffset> times)
        {
            var counts = new int[Weeks];
            foreach (var week in times.Select(t => (int)((t - from).TotalDays / 7)).Where(w => w is >= 0 and < Weeks))
            {
                counts[week]++;
            }

            return counts;
        }

        var (clicksPerWeek, registeredPerWeek, fundedPerWeek) = (PerWeek(clicked), PerWeek(registered), PerWeek(funded));
        return Enumerable.Range(0, Weeks)
            .Select(i => new WeekRow(DateOnly.FromDateTime(from.UtcDateTime.AddDays(7 * i)), clicksPerWeek[i], registeredPerWeek[i], fundedPerWeek[i]))
            .ToList();
    }

    /// <summary>Amounts summed per currency, in currency order: <c>250 USD, 100 EUR</c> (SQLite keeps decimals as text, so here).</summary>
    public static string Amounts(IEnumerable<(decimal? Amount, string? Currency)> amounts) =>
        string.Join(", ", amounts.Where(a => a.Amount is not null)
            .GroupBy(a => a.Currency ?? "?", StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Sum(a => a.Amount!.Value).ToString("0.##", CultureInfo.InvariantCulture)} {g.Key}"));

    /// <summary>The leads of <paramref name="reached"/> that reached a stage at or after their time (a run's start, an email's send).</summary>
    private static int Count(IEnumerable<(Guid LeadId, DateTimeOffset Since)> reached, IReadOnlyDictionary<Guid, ReportedLead> converted, Func<ReportedLead, DateTimeOffset?> stage) =>
        reached.Where(r => converted.TryGetValue(r.LeadId, out var lead) && stage(lead) >= r.Since).Select(r => r.LeadId).Distinct().Count();

    private sealed record ReportedLead(Guid Id, DateTimeOffset? RegisteredAt, DateTimeOffset? FundedAt, DateTimeOffset? QualifiedAt);
}

/// <summary>The report: one funnel per broker connection, workflow and email, and the weekly series.</summary>
public sealed record ConversionFigures(IReadOnlyList<FunnelRow> Connections, IReadOnlyList<FunnelRow> Workflows, IReadOnlyList<FunnelRow> Emails, IReadOnlyList<WeekRow> Weeks);

/// <summary>
/// One row of the funnel. <see cref="Entered"/> is the leads enrolled (a workflow) or the emails sent (an email); null for
/// a connection. <see cref="FtdRate"/> is funded over entered.
/// </summary>
public sealed record FunnelRow(Guid Id, string Name, int? Entered, int Clicks, int Registered, int Funded, int Qualified, string FtdAmount)
{
    public double? FtdRate => Entered is > 0 ? (double)Funded / Entered.Value : null;
}

/// <summary>A week of the chart, from its Monday (UTC): people's referral clicks, leads registered and leads funded.</summary>
public sealed record WeekRow(DateOnly Monday, int Clicks, int Registered, int Funded);

/// <summary>A step of the published version: runs that took it, runs waiting there now, and a send's emails.</summary>
public sealed record StepFigures(WorkflowStep Step, int Reached, int WaitingNow, SendFigures? Send)
{
    public string Summary =>
        $"{Reached} reached, {WaitingNow} waiting here now"
        + (Send is { } send ? $"; {send.Sent} sent, {send.Opened} opened, {send.Clicked} clicked, {send.FundedAfter} funded after" : string.Empty);
}

/// <summary>A send step's emails: sent, opened and clicked by people, and their leads funded (FTD) after the email.</summary>
public sealed record SendFigures(int Sent, int Opened, int Clicked, int FundedAfter);
