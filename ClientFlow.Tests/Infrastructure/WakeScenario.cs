using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Jobs;
using ClientFlow.Automation.Workflows;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Infrastructure;

/// <summary>
/// 120 waits begun by one import batch end within the same second, each handed to the scheduler of one of the
/// <c>nodes</c> in turn, as each node's wait does: every run then takes its next step exactly once, never early and at
/// most 4 s late, and a few wake jobs do it instead of one job per wait. Shared by the SQLite (one node) and the
/// PostgreSQL (two nodes, one job storage, the app role) tests.
/// </summary>
public static class WakeScenario
{
    private const int Runs = 120;
    private static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(4);

    /// <param name="maxWakes">Wake jobs allowed: 50 runs to a claim, plus one for the rest of a second each time a wake fired before all of it was due, on each node.</param>
    public static async Task RunAsync(IReadOnlyList<ClientFlowAppFactory> nodes, int maxWakes)
    {
        var ct = TestContext.Current.CancellationToken;
        var app = nodes[0];
        var ib = await app.SeedIbAsync($"together{Guid.NewGuid():N}@wakes.test", "Together IB");
        await app.PublishWorkflowAsync(ib.TenantId, "Import wait", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new WaitStep(1, WaitUnit.Minutes), new AddTagStep("woken")]);
        await app.CaptureManyAsync(ib.TenantId, Enumerable.Range(0, Runs).Select(i => $"together{i}@example.com"));
        await Eventually.HoldsAsync(async () => (await app.RunsOfAsync(ib.TenantId)).Count(r => r.Status == RunStatus.Waiting) == Runs, "every run waits");

        var runs = await app.RunsOfAsync(ib.TenantId);
        var second = (TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(4)).UtcTicks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond;
        var due = new Dictionary<Guid, DateTimeOffset>();
        for (var i = 0; i < runs.Count; i++)
        {
            var dueAt = new DateTimeOffset(second + (i * TimeSpan.TicksPerSecond / Runs), TimeSpan.Zero);
            var runId = runs[i].Id;
            due[runId] = dueAt;
            await app.AsTenantAsync(ib.TenantId, db => db.WorkflowRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.DueAt, dueAt), ct));
            nodes[i % nodes.Count].Services.GetRequiredService<IRunScheduler>().ScheduleWake(ib.TenantId, dueAt, "import wait");
        }

        await Eventually.HoldsAsync(async () => (await app.RunsOfAsync(ib.TenantId)).All(r => r.Status == RunStatus.Completed), "every wait fires", TimeSpan.FromSeconds(30));
        var fired = await app.AsTenantAsync(ib.TenantId, db => db.RunSteps.Where(s => s.StepIndex == 1).ToListAsync(ct));
        Assert.Equal(Runs, fired.Count);
        foreach (var step in fired)
        {
            Assert.InRange(step.ExecutedAt, due[step.RunId], due[step.RunId] + Tolerance);
        }

        Assert.All(await app.LeadsOfAsync(ib.TenantId), lead => Assert.Single(lead.Tags, t => t.Slug == "woken"));

        var succeeded = app.Services.GetRequiredService<JobStorage>().GetMonitoringApi().SucceededJobs(0, 10_000);
        Assert.InRange(succeeded.Count(j => j.Value.Job?.Type == typeof(WakeJob) && (Guid)j.Value.Job.Args[0] == ib.TenantId), 1, maxWakes);
        Assert.DoesNotContain(succeeded, j => j.Value.Job?.Type == typeof(RunJob) && due.ContainsKey((Guid)j.Value.Job.Args[1]));
    }
}
