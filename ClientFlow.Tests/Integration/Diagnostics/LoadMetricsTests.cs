using ClientFlow.Automation.Data;
using ClientFlow.Automation.Diagnostics;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Outbox;
using ClientFlow.Automation.Systeme;
using ClientFlow.Automation.Webhooks;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Diagnostics;

/// <summary>
/// The load gauges count the database as it is, across tenants: what is due and late in the engine and how long it has
/// waited, the outbox and inbox backlogs and their age, dead letters, and the Systeme.io budget left. A fresh app of its
/// own, so every figure is exact.
/// </summary>
public sealed class LoadMetricsTests(MetricsApp fixture) : IClassFixture<MetricsApp>
{
    private ClientFlowAppFactory App => fixture.App;

    [Fact]
    public async Task Gauges_ShowWhatIsDueAndHowLongItWaited_AcrossTenants()
    {
        var john = await App.SeedIbAsync("john@load-metrics.test", "John", "john-lead@example.com");
        var sarah = await App.SeedIbAsync("sarah@load-metrics.test", "Sarah", "sarah-lead@example.com");
        var johns = await App.PublishIdleWorkflowAsync(john.TenantId);
        var sarahs = await App.PublishIdleWorkflowAsync(sarah.TenantId);

        // Nothing waits yet; the gauges exist before any counter was touched.
        var empty = await fixture.ScrapeFreshAsync();
        Assert.Equal((0, 0, 0, 0, 0, 0, 0), (empty.Value("clientflow_runs_due"), empty.Value("clientflow_runs_late"), empty.Value("clientflow_engine_lag_seconds"),
            empty.Value("clientflow_outbox_depth"), empty.Value("clientflow_outbox_oldest_age_seconds"), empty.Value("clientflow_outbox_dead_lettered"), empty.Value("clientflow_inbox_depth")));
        Assert.Equal(4, empty.Value("clientflow_systeme_budget_remaining"));

        var now = fixture.Clock.GetUtcNow();
        await App.AddRunsAsync(johns, john.LeadIds[0],
            (RunStatus.Waiting, now - TimeSpan.FromMinutes(5)),   // due and late (past the 30 s grace): the oldest
            (RunStatus.Running, now - TimeSpan.FromSeconds(1)),   // a lost job: past its lease, late
            (RunStatus.Waiting, now + TimeSpan.FromHours(1)),     // not due
            (RunStatus.Running, now + TimeSpan.FromMinutes(1)),   // a live job's lease
            (RunStatus.Paused, now - TimeSpan.FromHours(1)),
            (RunStatus.Completed, now - TimeSpan.FromDays(1)));
        await App.AddRunsAsync(sarahs, sarah.LeadIds[0],
            (RunStatus.Waiting, now - TimeSpan.FromSeconds(10))); // due, within the grace
        await App.AddOperationsAsync(john.TenantId,
            (OutboundStatus.Pending, now - TimeSpan.FromSeconds(90)),
            (OutboundStatus.Pending, now + TimeSpan.FromMinutes(10)), // backing off
            (OutboundStatus.DeadLettered, now - TimeSpan.FromDays(1)),
            (OutboundStatus.Done, now - TimeSpan.FromDays(1)));
        await App.AddOperationsAsync(sarah.TenantId,
            (OutboundStatus.Pending, now - TimeSpan.FromSeconds(30)),
            (OutboundStatus.DeadLettered, now - TimeSpan.FromHours(1)));
        // Offline (no Systeme:ApiKey), a Systeme.io sync is parked until a key is set: not work due, however old.
        await App.AddOperationsAsync(sarah.TenantId, OutboundKind.SystemeLeadSync, (OutboundStatus.Pending, now - TimeSpan.FromHours(1)));
        await App.AddInboundEventsAsync(
            (InboundStatus.Pending, now - TimeSpan.FromSeconds(120)),
            (InboundStatus.Processing, now - TimeSpan.FromSeconds(60)),
            (InboundStatus.Processed, now - TimeSpan.FromHours(1)),
            (InboundStatus.DeadLettered, now - TimeSpan.FromHours(2)));
        // The next grant 600 ms after the scrape: at 4 a second, two more fit in the second that follows it.
        await SetBudgetAsync(b => b.SetProperty(x => x.NextGrantAt, now + LoadSnapshots.MaxAge + TimeSpan.FromMilliseconds(600)));

        // One snapshot serves every gauge of a scrape and any scrape within its age: the same instant reads the same figures.
        using (var scraper = fixture.CreateScraper())
        {
            Assert.Equal(0, (await PrometheusExposition.ScrapeAsync(scraper)).Value("clientflow_runs_due"));
        }

        var metrics = await fixture.ScrapeFreshAsync();
        var waited = LoadSnapshots.MaxAge.TotalSeconds;
        Assert.Equal(3, metrics.Value("clientflow_runs_due"));
        Assert.Equal(2, metrics.Value("clientflow_runs_late"));
        Assert.Equal(300 + waited, metrics.Value("clientflow_engine_lag_seconds"), 3);
        Assert.Equal(2, metrics.Value("clientflow_outbox_depth"));
        Assert.Equal(90 + waited, metrics.Value("clientflow_outbox_oldest_age_seconds"), 3);
        Assert.Equal(2, metrics.Value("clientflow_outbox_dead_lettered"));
        Assert.Equal(2, metrics.Value("clientflow_inbox_depth"));
        Assert.Equal(120 + waited, metrics.Value("clientflow_inbox_oldest_age_seconds"), 3);
        Assert.Equal(2, metrics.Value("clientflow_systeme_budget_remaining"));
        Assert.Equal(0, metrics.Value("clientflow_systeme_pause_remaining_seconds"));

        // A 429 pauses every node: nothing left to grant until it ends.
        await SetBudgetAsync(b => b.SetProperty(x => x.PausedUntil, now + TimeSpan.FromSeconds(10)));
        var paused = await fixture.ScrapeFreshAsync();
        Assert.Equal(0, paused.Value("clientflow_systeme_budget_remaining"));
        Assert.Equal(10 - (2 * waited), paused.Value("clientflow_systeme_pause_remaining_seconds"), 3);
    }

    private async Task SetBudgetAsync(Action<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<SystemeBudget>> set)
    {
        await using var scope = App.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>().SystemeBudgets
            .Where(b => b.Id == SystemeBudget.AccountId)
            .ExecuteUpdateAsync(set, TestContext.Current.CancellationToken);
    }
}
