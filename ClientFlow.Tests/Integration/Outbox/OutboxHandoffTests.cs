using ClientFlow.Automation.Jobs;
using ClientFlow.Automation.Outbox;
using ClientFlow.Tests.Infrastructure;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Outbox;

public sealed class OutboxHandoffApp : SqliteApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Notifications:AllowPrivateTargets"] = "false" };
}

/// <summary>
/// Rows committed together reach Hangfire in batch jobs of one tenant each (real in-memory Hangfire, real workers), and
/// every row is performed once.
/// </summary>
public sealed class OutboxHandoffTests(OutboxHandoffApp fixture) : IClassFixture<OutboxHandoffApp>
{
    private ClientFlowAppFactory App => fixture.App;

    [Fact]
    public async Task RowsPostedTogether_GoOutInBatchesPerTenant_AndEachIsPerformedOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var john = await App.SeedIbAsync("john@handoff.test", "John");
        var sarah = await App.SeedIbAsync("sarah@handoff.test", "Sarah");

        // Notifications to a private address, which the app refuses: each attempt ends the row (failed) without the network.
        var now = TimeProvider.System.GetUtcNow();
        var rows = new List<(Guid TenantId, Guid Id)>();
        foreach (var ib in new[] { john, sarah })
        {
            var ids = await App.AsTenantAsync(ib.TenantId, async db =>
            {
                var added = Enumerable.Range(0, 100).Select(_ => new OutboundOperation
                {
                    Kind = OutboundKind.NotifyWebhook,
                    Payload = """{"Url":"http://127.0.0.1:9/hook","Event":"test"}""",
                    Status = OutboundStatus.Pending,
                    NextAttemptAt = now,
                    LeaseUntil = now + TimeSpan.FromMinutes(10),
                    CreatedAt = now,
                }).ToList();
                db.OutboundOperations.AddRange(added);
                await db.SaveChangesAsync(ct);
                return added.Select(o => o.Id).ToList();
            });
            rows.AddRange(ids.Select(id => (ib.TenantId, id)));
        }

        var handoff = App.Services.GetRequiredService<OutboxHandoff>();
        foreach (var (tenantId, id) in rows)
        {
            handoff.Post(tenantId, id);
        }

        await Eventually.HoldsAsync(
            async () => (await App.AsTenantAsync(john.TenantId, db => db.OutboundOperations.CountAsync(o => o.Status == OutboundStatus.Failed, ct))) == 100
                && (await App.AsTenantAsync(sarah.TenantId, db => db.OutboundOperations.CountAsync(o => o.Status == OutboundStatus.Failed, ct))) == 100,
            "all 200 rows performed");

        foreach (var ib in new[] { john, sarah })
        {
            var performed = await App.AsTenantAsync(ib.TenantId, db => db.OutboundOperations.AsNoTracking().ToListAsync(ct));
            Assert.All(performed, o => Assert.Equal(1, o.Attempts));
            Assert.All(performed, o => Assert.Contains("private", o.LastError, StringComparison.OrdinalIgnoreCase));
        }

        // The jobs that performed them: each names one tenant, none holds more than a batch, and together they hold every
        // row once, in fewer jobs than rows.
        var jobs = App.Services.GetRequiredService<JobStorage>().GetMonitoringApi().SucceededJobs(0, 1000)
            .Select(j => j.Value.Job)
            .Where(j => j.Type == typeof(OutboxJob))
            .Select(j => (TenantId: (Guid)j.Args[0], Ids: j.Method.Name == nameof(OutboxJob.RunBatchAsync) ? (Guid[])j.Args[1] : [(Guid)j.Args[1]]))
            .ToList();
        Assert.All(jobs, j => Assert.InRange(j.Ids.Length, 1, OutboxHandoff.OperationsPerJob));
        Assert.Equal(
            rows.OrderBy(r => r.Id),
            jobs.SelectMany(j => j.Ids.Select(id => (j.TenantId, id))).OrderBy(r => r.id));
        Assert.True(jobs.Count < rows.Count / 2, $"{jobs.Count} jobs for {rows.Count} rows posted together");
    }
}
