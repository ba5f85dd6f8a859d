using System.Data.Common;
using System.Reflection;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Jobs;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace ClientFlow.Tests.Integration.Engine;

/// <summary>
/// The engine's tables are the truth: a restart that loses every in-memory Hangfire job, or two
/// workers on one step, cost a delay at most, never a step or a second email.
/// </summary>
public sealed class RestartRecoveryTests : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();
    private readonly FakeTimeProvider _clock = new(TimeProvider.System.GetUtcNow());

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Restart_WithInMemoryHangfire_LosesNoDueStep_TheSweepRecreatesIt()
    {
        SeededIb ib;
        await using (var before = await StartAppAsync())
        {
            ib = await before.SeedIbAsync("restart@engine.test", "Restart IB");
            var template = await before.CreateTemplateAsync(ib.TenantId, "Welcome", "Welcome", "<p>Hi</p>");
            await before.PublishWorkflowAsync(ib.TenantId, "Welcome", new WorkflowTrigger(TriggerKind.LeadCaptured, null),
                [new WaitStep(5, WaitUnit.Minutes), new SendEmailStep(template.Id)]);
            await before.CaptureAsync(ib.TenantId, new LeadInput { Email = "waiting@example.com" });
            await Eventually.HoldsAsync(async () => (await before.RunsOfAsync(ib.TenantId)).SingleOrDefault()?.Status == RunStatus.Waiting, "the run waits");

            // The wait's delayed job lives only in this host's in-memory storage.
            await Eventually.HoldsAsync(
                () => Task.FromResult(before.Services.GetRequiredService<JobStorage>().GetMonitoringApi().ScheduledJobs(0, 10).Count > 0),
                "the wait is a delayed job");

            // Readable in /hangfire: "Advance the runs due at {time}: Welcome, step Send email "Welcome"".
            var scheduled = before.Services.GetRequiredService<JobStorage>().GetMonitoringApi().ScheduledJobs(0, 10).Single().Value;
            var display = scheduled.Job.Method.GetCustomAttribute<JobDisplayNameAttribute>()!.Format(null!, scheduled.Job);
            Assert.Matches("^Advance the runs due at .+: Welcome, step Send email \"Welcome\"$", display);
        }

        _clock.Advance(TimeSpan.FromMinutes(6));
        await using var after = await StartAppAsync();
        Assert.Empty(after.Services.GetRequiredService<JobStorage>().GetMonitoringApi().ScheduledJobs(0, 10));
        Assert.Empty(await after.MessagesOfAsync(ib.TenantId));

        // The recurring sweep is registered at start-up; fire it the way Hangfire's scheduler does.
        using (var connection = after.Services.GetRequiredService<JobStorage>().GetConnection())
        {
            Assert.Contains(connection.GetRecurringJobs(), j => j.Id == EngineSweepJob.RecurringId);
        }

        after.Services.GetRequiredService<IRecurringJobManager>().Trigger(EngineSweepJob.RecurringId);
        await Eventually.HoldsAsync(async () => (await after.MessagesOfAsync(ib.TenantId)).Any(m => m.Status == EmailStatus.Sent), "the due send happens after the restart");
        Assert.Single(await after.MessagesOfAsync(ib.TenantId));
        await Eventually.HoldsAsync(async () => (await after.RunsOfAsync(ib.TenantId)).Single().Status == RunStatus.Completed, "the run completes");
    }

    [Fact]
    public async Task TwoWorkers_AdvancingOneRun_SendOneEmail()
    {
        await using var app = await StartAppAsync();
        var (ib, run) = await RunWaitingAsync(app, "race");
        var runId = run.Id;

        // A crashed worker's job retried while another picks the run up: both advance it at once.
        _clock.Advance(TimeSpan.FromMinutes(2));
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => AdvanceAsync(app, ib.TenantId, runId)));

        await Eventually.HoldsAsync(async () => (await app.RunsOfAsync(ib.TenantId)).Single().Status == RunStatus.Completed, "the run completes");
        await Eventually.HoldsAsync(async () => (await app.MessagesOfAsync(ib.TenantId)).All(m => m.Status == EmailStatus.Sent), "the email is delivered");
        Assert.Single(await app.MessagesOfAsync(ib.TenantId));
        var steps = await app.StepsOfAsync(ib.TenantId, runId);
        Assert.Equal([0, 1, 2], steps.Select(s => s.StepIndex).Order());
    }

    [Fact]
    public async Task Sweep_ReHandsARunWhoseJobIsStillQueued_WithoutSupersedingThatJob_AndTwoSweepsHandItOutOnce()
    {
        await using var app = await StartAppAsync();
        app.RemoveRecurringSweeps();
        var (ib, waiting) = await RunWaitingAsync(app, "backlog");
        var queuedJob = waiting.Handoff!.Value;

        // The wait is over and its job was handed the run, but sits behind a backlog longer than the lease (its delayed
        // job in Hangfire is a real minute away, so it stays queued throughout).
        _clock.Advance(TimeSpan.FromMinutes(5));
        var lapsed = _clock.GetUtcNow() - TimeSpan.FromSeconds(1);
        await app.AsTenantAsync(ib.TenantId, db => db.WorkflowRuns.Where(r => r.Id == waiting.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Running).SetProperty(r => r.DueAt, lapsed), TestContext.Current.CancellationToken));

        // Two sweeps at once (two nodes): the conditional update lets one claim the run.
        var handedOut = await Task.WhenAll(app.SweepRunsAsync(), app.SweepRunsAsync());
        Assert.Equal(1, handedOut.Sum());

        // The queued job is still entitled to the run, and the lease runs from the sweep.
        var swept = await app.AsTenantAsync(ib.TenantId, db => db.WorkflowRuns.AsNoTracking().SingleAsync(r => r.Id == waiting.Id, TestContext.Current.CancellationToken));
        Assert.Equal(queuedJob, swept.Handoff);
        Assert.True(swept.DueAt > _clock.GetUtcNow(), "the sweep renews the lease");

        // The queued job starts at last, while the sweep's job may be running: the step is taken once between them.
        await AdvanceAsync(app, ib.TenantId, waiting.Id, queuedJob);

        await Eventually.HoldsAsync(async () => (await app.RunsOfAsync(ib.TenantId)).Single().Status == RunStatus.Completed, "the run completes");
        Assert.Single(await app.MessagesOfAsync(ib.TenantId));
        Assert.Equal([0, 1, 2], (await app.StepsOfAsync(ib.TenantId, waiting.Id)).Select(s => s.StepIndex).Order());
        Assert.Equal(0, await app.SweepRunsAsync());
    }

    [Fact]
    public async Task Sweep_ClaimingARunWhileItsQueuedJobStepsIt_DoesNotMakeThatJobDropTheRun()
    {
        var midStep = new MidStep();
        var dropRunJobs = false;
        await using var app = await StartAppAsync(services =>
        {
            services.ConfigureDbContext<SqliteClientFlowDbContext>(o => o.AddInterceptors(midStep));
            DroppingJobClient.Register(services, job => Volatile.Read(ref dropRunJobs) && job.Type == typeof(RunJob));
        });
        app.RemoveRecurringSweeps();
        var (ib, waiting) = await RunWaitingAsync(app, "midstep");

        // The wait's job starts long after the wait ended (a backlog), and while its step reads the lead, outside any
        // transaction, the sweep finds the run past its grace and claims it: a new revision, the same hand-off and
        // position. The sweep's own job is lost here, so only the first job can take the step.
        _clock.Advance(TimeSpan.FromMinutes(5));
        Volatile.Write(ref dropRunJobs, true);
        var claimed = 0;
        midStep.Arm(async () => claimed = await app.SweepRunsAsync());
        await AdvanceAsync(app, ib.TenantId, waiting.Id, waiting.Handoff);

        // The job's first save lost to the claim, found the run where it was and still its own, and took the step again.
        Assert.Equal(1, claimed);
        var run = (await app.RunsOfAsync(ib.TenantId)).Single();
        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal([0, 1, 2], (await app.StepsOfAsync(ib.TenantId, waiting.Id)).Select(s => s.StepIndex).Order());
        Assert.Single(await app.MessagesOfAsync(ib.TenantId));
    }

    /// <summary>Runs an action once, just before the next read of a lead (a step's read, outside its transaction).</summary>
    private sealed class MidStep : DbCommandInterceptor
    {
        private Func<Task>? _armed;

        public void Arm(Func<Task> action) => Volatile.Write(ref _armed, action);

        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Contains("FROM \"Leads\"", StringComparison.Ordinal) && Interlocked.Exchange(ref _armed, null) is { } action)
            {
                await action();
            }

            return result;
        }
    }

    /// <summary>An IB whose workflow waits a minute, sends an email and adds a tag, and one lead's run waiting at the wait.</summary>
    private static async Task<(SeededIb Ib, WorkflowRun Run)> RunWaitingAsync(ClientFlowAppFactory app, string name)
    {
        var ib = await app.SeedIbAsync($"{name}@engine.test", $"{name} IB");
        var template = await app.CreateTemplateAsync(ib.TenantId, name, name, $"<p>{name}</p>");
        await app.PublishWorkflowAsync(ib.TenantId, name, new WorkflowTrigger(TriggerKind.LeadCaptured, null),
            [new WaitStep(1, WaitUnit.Minutes), new SendEmailStep(template.Id), new AddTagStep("after-send")]);
        await app.CaptureAsync(ib.TenantId, new LeadInput { Email = $"{name}@example.com" });
        await Eventually.HoldsAsync(async () => (await app.RunsOfAsync(ib.TenantId)).SingleOrDefault()?.Status == RunStatus.Waiting, "the run waits");
        return (ib, (await app.RunsOfAsync(ib.TenantId)).Single());
    }

    /// <summary>Advances the run as a job holding <paramref name="handoff"/> would (null: a caller that is not a handed-out job).</summary>
    private static async Task AdvanceAsync(ClientFlowAppFactory app, Guid tenantId, Guid runId, Guid? handoff = null)
    {
        await using var scope = app.Services.CreateAsyncScope();
        using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(tenantId))
        {
            await scope.ServiceProvider.GetRequiredService<RunAdvancer>().AdvanceAsync(runId, handoff, TestContext.Current.CancellationToken);
        }
    }

    private async Task<ClientFlowAppFactory> StartAppAsync(Action<IServiceCollection>? configure = null)
    {
        var app = new ClientFlowAppFactory(_database, configureServices: services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(_clock);
            configure?.Invoke(services);
        });
        await app.StartAsync();
        return app;
    }
}
