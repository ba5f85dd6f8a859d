using System.Net.Http.Headers;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Outbox;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace ClientFlow.Tests.Postgres;

/// <summary>
/// The load gauges on PostgreSQL, read by the app role under row-level security: each tenant sees only its own rows,
/// and the gauges count every tenant's through the named cross-tenant read.
/// </summary>
public sealed class PostgresMetricsTests : IAsyncLifetime
{
    private const string ScrapeToken = "postgres-scrape-token-0123456789abcdef";

    private readonly PostgresTestDatabase _database = new();
    private readonly FakeTimeProvider _clock = new(TimeProvider.System.GetUtcNow());
    private ClientFlowAppFactory _app = null!;

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        _app = new ClientFlowAppFactory(_database, settings: new Dictionary<string, string?> { ["Metrics:ScrapeToken"] = ScrapeToken }, configureServices: services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(_clock);
        });
        await _app.StartAsync();
        _app.RemoveRecurringSweeps();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Gauges_CountEveryTenantsRows_UnderRowLevelSecurity()
    {
        var now = _clock.GetUtcNow();
        var ibs = new[] { await _app.SeedIbAsync("john@pg-metrics.test", "John", "john-lead@example.com"), await _app.SeedIbAsync("sarah@pg-metrics.test", "Sarah", "sarah-lead@example.com") };
        foreach (var (ib, minutesLate) in ibs.Zip([5, 3]))
        {
            var version = await _app.PublishIdleWorkflowAsync(ib.TenantId);
            await _app.AddRunsAsync(version, ib.LeadIds[0], (RunStatus.Waiting, now - TimeSpan.FromMinutes(minutesLate)), (RunStatus.Waiting, now + TimeSpan.FromHours(1)));
            await _app.AddOperationsAsync(ib.TenantId, (OutboundStatus.Pending, now - TimeSpan.FromMinutes(minutesLate)), (OutboundStatus.DeadLettered, now - TimeSpan.FromDays(1)));
        }

        // Each tenant sees its own one due run and one due operation, and a connection with no tenant sees none at all:
        // row-level security binds the app role.
        foreach (var ib in ibs)
        {
            Assert.Equal((1, 1), await _app.AsTenantAsync(ib.TenantId, async db => (
                await db.WorkflowRuns.CountAsync(r => r.DueAt <= now, TestContext.Current.CancellationToken),
                await db.OutboundOperations.CountAsync(o => o.Status == OutboundStatus.Pending && o.NextAttemptAt <= now, TestContext.Current.CancellationToken))));
        }

        await using (var unscoped = _database.CreateContext(new TenantScope()))
        {
            Assert.Equal(0, await unscoped.WorkflowRuns.IgnoreQueryFilters().CountAsync(TestContext.Current.CancellationToken));
        }

        using var scraper = _app.CreateClient();
        scraper.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ScrapeToken);
        var metrics = await PrometheusExposition.ScrapeAsync(scraper);

        Assert.Equal(2, metrics.Value("clientflow_runs_due"));
        Assert.Equal(2, metrics.Value("clientflow_runs_late"));
        Assert.Equal(300, metrics.Value("clientflow_engine_lag_seconds"), 3);
        Assert.Equal(2, metrics.Value("clientflow_outbox_depth"));
        Assert.Equal(300, metrics.Value("clientflow_outbox_oldest_age_seconds"), 3);
        Assert.Equal(2, metrics.Value("clientflow_outbox_dead_lettered"));
        Assert.Equal(4, metrics.Value("clientflow_systeme_budget_remaining"));
    }
}
