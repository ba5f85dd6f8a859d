using System.Globalization;
using ClientFlow.Automation.Counters;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Leads;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Tests.Infrastructure;

/// <summary>
/// Rows of two IBs written, updated into and out of each count's condition and deleted, through EF's change tracker and
/// through set-based statements (both fire the triggers); after each round every IB's counters must equal a count of
/// its rows. Shared by the SQLite and the PostgreSQL (app role under row-level security) tests.
/// </summary>
public static class CounterScenario
{
    public static async Task RunAsync(ClientFlowAppFactory app)
    {
        var ct = TestContext.Current.CancellationToken;
        var john = await app.SeedIbAsync("john@counters.test", "John", "a@example.com", "b@example.com", "c@example.com", "d@example.com");
        var sarah = await app.SeedIbAsync("sarah@counters.test", "Sarah", "a@example.com");
        await AssertCountersMatchAsync(app, john.TenantId, sarah.TenantId);

        // Statuses in and out of "nurtured", tags in and out of "converted", by tracked saves and by statements.
        await app.AsTenantAsync(john.TenantId, async db =>
        {
            var leads = await db.Leads.OrderBy(l => l.Email).ToListAsync(ct);
            leads[0].Status = LeadStatus.Nurturing;
            leads[1].Status = LeadStatus.Engaged;
            db.LeadTags.AddRange(leads.Take(3).Select(l => new LeadTag { LeadId = l.Id, Slug = CaptureTags.Converted }));
            db.LeadTags.Add(new LeadTag { LeadId = leads[3].Id, Slug = "other" });
            await db.SaveChangesAsync(ct);
            await db.Leads.Where(l => l.Id == leads[1].Id).ExecuteUpdateAsync(s => s.SetProperty(l => l.Status, LeadStatus.Converted), ct);
            await db.Leads.Where(l => l.Id == leads[0].Id).ExecuteUpdateAsync(s => s.SetProperty(l => l.Status, LeadStatus.Engaged), ct);
            await db.LeadTags.Where(t => t.LeadId == leads[2].Id && t.Slug == CaptureTags.Converted).ExecuteDeleteAsync(ct);
            return 0;
        });
        await AssertCountersMatchAsync(app, john.TenantId, sarah.TenantId);

        // The tag list /Leads offers: each IB's own distinct tags, in the database's order.
        foreach (var ib in new[] { john, sarah })
        {
            var (listed, distinct) = await app.AsTenantAsync(ib.TenantId, async db =>
                (await db.TagSlugsAsync(ct), await db.LeadTags.Select(t => t.Slug).Distinct().OrderBy(slug => slug).ToListAsync(ct)));
            Assert.Equal(distinct, listed);
            Assert.Equal(ib == john, listed.Contains("other"));
        }

        // Runs started, ended and deleted in two workflows; workflow emails sent, and a test email that is not one.
        var version = await app.PublishIdleWorkflowAsync(john.TenantId);
        var other = await app.PublishIdleWorkflowAsync(john.TenantId, "Other");
        var now = TimeProvider.System.GetUtcNow();
        await app.AddRunsAsync(version, john.LeadIds[0], (RunStatus.Running, now), (RunStatus.Waiting, now), (RunStatus.Paused, now));
        await app.AddRunsAsync(version, john.LeadIds[1], (RunStatus.Waiting, now));
        await app.AddRunsAsync(other, john.LeadIds[2], (RunStatus.Paused, now), (RunStatus.Completed, now));
        await app.AddRunsAsync(other, john.LeadIds[3], (RunStatus.Waiting, now));
        await app.AsTenantAsync(john.TenantId, async db =>
        {
            db.EmailMessages.AddRange(
                Message(EmailKind.Workflow, EmailStatus.Sent, john.LeadIds[0]),
                Message(EmailKind.Workflow, EmailStatus.Pending, john.LeadIds[1]),
                Message(EmailKind.Test, EmailStatus.Sent, null));
            await db.SaveChangesAsync(ct);
            await db.EmailMessages.Where(m => m.Status == EmailStatus.Pending).ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, EmailStatus.Sent), ct);
            await db.WorkflowRuns.Where(r => r.Status == RunStatus.Running).ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Completed), ct);
            await db.WorkflowRuns.Where(r => r.Status == RunStatus.Paused && r.WorkflowId == version.WorkflowId).ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Waiting), ct);
            await db.WorkflowRuns.Where(r => r.LeadId == john.LeadIds[1]).ExecuteDeleteAsync(ct);
            return 0;
        });
        await AssertCountersMatchAsync(app, john.TenantId, sarah.TenantId);

        // The sums the pages read: four leads, one nurtured (engaged), two converted, two workflow emails sent, three runs
        // waiting; two runs not ended in the first workflow, two (one paused) in the other.
        var counters = await app.AsTenantAsync(john.TenantId, db => db.CountersAsync(ct));
        Assert.Equal(
            (4, 1, 2, 2, 3),
            (counters.Of(TenantCounterTriggers.Leads), counters.Of(TenantCounterTriggers.LeadsNurtured), counters.Of(TenantCounterTriggers.LeadsConverted),
                counters.Of(TenantCounterTriggers.WorkflowEmailsSent), counters.Of(TenantCounterTriggers.RunsInProgress)));
        var live = await app.AsTenantAsync(john.TenantId, db => db.LiveRunsPerWorkflowAsync(ct));
        Assert.Equal((2, 2), (live.GetValueOrDefault(version.WorkflowId), live.GetValueOrDefault(other.WorkflowId)));

        // Leads created either side of a month's turn in UTC, given in other offsets (SQLite keeps the offset; Npgsql writes
        // only UTC): each counts in its UTC month.
        await app.AsTenantAsync(john.TenantId, async db =>
        {
            DateTimeOffset At(string time) => db.Database.IsNpgsql()
                ? DateTimeOffset.Parse(time, CultureInfo.InvariantCulture).ToUniversalTime()
                : DateTimeOffset.Parse(time, CultureInfo.InvariantCulture);
            db.Leads.AddRange(
                new Lead { Email = "1-november-in-utc@example.com", CreatedAt = At("2026-10-31T23:30:00-02:00") },
                new Lead { Email = "31-october-in-utc@example.com", CreatedAt = At("2026-11-01T00:30:00+02:00") });
            return await db.SaveChangesAsync(ct);
        });
        await AssertCountersMatchAsync(app, john.TenantId, sarah.TenantId);
        // 22:30 on 31 October in UTC: October's only lead (the others were created now).
        counters = await app.AsTenantAsync(john.TenantId, db => db.CountersAsync(ct));
        Assert.Equal(1, counters.Of($"{TenantCounterTriggers.LeadsPerMonth}:2026-10"));

        // Deleting a lead takes it, and its runs, out of every count it was in.
        await app.AsTenantAsync(john.TenantId, async db =>
        {
            await db.LeadTags.Where(t => t.LeadId == john.LeadIds[3]).ExecuteDeleteAsync(ct);
            return await db.Leads.Where(l => l.Id == john.LeadIds[3]).ExecuteDeleteAsync(ct);
        });
        await AssertCountersMatchAsync(app, john.TenantId, sarah.TenantId);
    }

    private static EmailMessage Message(EmailKind kind, EmailStatus status, Guid? leadId) => new()
    {
        Kind = kind,
        Status = status,
        LeadId = leadId,
        Token = EmailTracking.NewToken(),
        To = "someone@example.com",
        Subject = "Hello",
        HtmlBody = "<p>Hello</p>",
        CreatedAt = TimeProvider.System.GetUtcNow(),
    };

    private static async Task AssertCountersMatchAsync(ClientFlowAppFactory app, params Guid[] tenants)
    {
        var ct = TestContext.Current.CancellationToken;
        foreach (var tenant in tenants)
        {
            var (counted, live, kept) = await app.AsTenantAsync(tenant, async db =>
            {
                var counted = new Dictionary<string, int>
                {
                    [TenantCounterTriggers.Leads] = await db.Leads.CountAsync(ct),
                    [TenantCounterTriggers.LeadsNurtured] = await db.Leads.CountAsync(l => l.Status == LeadStatus.Nurturing || l.Status == LeadStatus.Engaged, ct),
                    [TenantCounterTriggers.LeadsConverted] = await db.LeadTags.CountAsync(t => t.Slug == CaptureTags.Converted, ct),
                    [TenantCounterTriggers.WorkflowEmailsSent] = await db.EmailMessages.CountAsync(m => m.Kind == EmailKind.Workflow && m.Status == EmailStatus.Sent, ct),
                    [TenantCounterTriggers.RunsInProgress] = await db.WorkflowRuns.CountAsync(r => r.Status == RunStatus.Running || r.Status == RunStatus.Waiting, ct),
                };
                var liveCounted = await db.WorkflowRuns
                    .Where(r => r.Status == RunStatus.Running || r.Status == RunStatus.Waiting || r.Status == RunStatus.Paused)
                    .GroupBy(r => r.WorkflowId)
                    .ToDictionaryAsync(g => g.Key, g => g.Count(), ct);
                var liveKept = await db.LiveRunsPerWorkflowAsync(ct);
                foreach (var month in (await db.Leads.Select(l => l.CreatedAt).ToListAsync(ct)).GroupBy(TenantCounterTriggers.LeadsCreatedIn))
                {
                    counted[month.Key] = month.Count();
                }

                return (counted, (Counted: liveCounted, Kept: liveKept), await db.CountersAsync(ct));
            });
            Assert.Equal(counted, counted.Keys.ToDictionary(name => name, kept.Of));
            Assert.Equal(
                counted.Keys.Where(k => k.StartsWith(TenantCounterTriggers.LeadsPerMonth, StringComparison.Ordinal)).Order(),
                kept.Where(k => k.Key.StartsWith(TenantCounterTriggers.LeadsPerMonth, StringComparison.Ordinal) && k.Value != 0).Select(k => k.Key).Order());

            // A workflow whose runs have all ended may keep a row of zero; every other must match.
            Assert.Equal(live.Counted.OrderBy(p => p.Key), live.Kept.Where(p => p.Value != 0).OrderBy(p => p.Key));
        }
    }
}
