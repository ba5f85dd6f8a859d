using System.Globalization;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Jobs;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Engine;

/// <summary>The real app on the real clock: Hangfire's own delayed jobs fire the waits.</summary>
public sealed class RealClockApp : SqliteApp;

/// <summary>
/// Waits fired by real Hangfire delayed jobs (in-memory storage, 1 s schedule polling), with no clock moved and
/// no sweep: each wait's step runs no earlier than its due time and within 2 s after it, even when its job fires
/// early; and a job superseded by a newer hand-off (ON after OFF) neither runs the step nor schedules another.
/// The product's shortest wait is a minute, so each run's wait is shortened to a few seconds in the database
/// and handed to the real scheduler, as the engine does when a wait begins.
/// </summary>
public sealed class DelayedJobTests(RealClockApp fixture) : IClassFixture<RealClockApp>
{
    private static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(2);

    private ClientFlowAppFactory App => fixture.App;

    [Fact]
    public async Task ShortWaits_FireNeverEarly_AndWithinTwoSeconds()
    {
        var ib = await App.SeedIbAsync("waits@delayed.test", "Waits IB");
        await App.PublishWorkflowAsync(ib.TenantId, "Short waits", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new WaitStep(1, WaitUnit.Minutes), new AddTagStep("fired")]);
        foreach (var i in Enumerable.Range(0, 5))
        {
            await App.CaptureAsync(ib.TenantId, new LeadInput { Email = $"wait{i}@example.com" });
        }

        await Eventually.HoldsAsync(async () => (await App.RunsOfAsync(ib.TenantId)).Count(r => r.Status == RunStatus.Waiting) == 5, "every run waits");
        var runs = await App.RunsOfAsync(ib.TenantId);
        var start = TimeProvider.System.GetUtcNow();
        var due = new Dictionary<Guid, DateTimeOffset>();
        for (var i = 0; i < runs.Count; i++)
        {
            var dueAt = start + TimeSpan.FromSeconds(3 + i);
            due[runs[i].Id] = dueAt;
            var handoff = await ShortenWaitAsync(ib.TenantId, runs[i].Id, dueAt);
            if (i == 0)
            {
                // This run's job fires 2 s before its wait is over (clock skew, Hangfire's whole-second schedule): it must wait again.
                App.Services.GetRequiredService<IBackgroundJobClient>().Schedule<RunJob>(j => j.RunAsync(ib.TenantId, runs[i].Id, handoff, "early", CancellationToken.None), TimeSpan.FromSeconds(1));
            }
            else
            {
                App.Services.GetRequiredService<IRunScheduler>().ScheduleWake(ib.TenantId, dueAt, "short wait");
            }
        }

        await Eventually.HoldsAsync(async () => (await App.RunsOfAsync(ib.TenantId)).All(r => r.Status == RunStatus.Completed), "every wait fires", TimeSpan.FromSeconds(30));
        foreach (var (runId, dueAt) in due)
        {
            var fired = Assert.Single(await App.StepsOfAsync(ib.TenantId, runId), s => s.StepIndex == 1);
            Assert.True(fired.ExecutedAt >= dueAt, $"run {runId} ran {(dueAt - fired.ExecutedAt).TotalMilliseconds:0} ms before its due time");
            Assert.True(fired.ExecutedAt <= dueAt + Tolerance, $"run {runId} ran {(fired.ExecutedAt - dueAt).TotalMilliseconds:0} ms after its due time");
        }
    }

    [Fact]
    public async Task OnAfterOff_WhileAWaitIsScheduled_LeavesOneJobChain()
    {
        var (ib, workflowId, run) = await OneWaitingRunAsync("chains", new WaitStep(1, WaitUnit.Minutes), new AddTagStep("first"), new WaitStep(1, WaitUnit.Days), new AddTagStep("second"));

        // The wait is due in 3 s; its own delayed job fires 2 s after that (a busy worker, a slow poll).
        var dueAt = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(3);
        var handoff = await ShortenWaitAsync(ib.TenantId, run.Id, dueAt);
        App.Services.GetRequiredService<IBackgroundJobClient>().Schedule<RunJob>(j => j.RunAsync(ib.TenantId, run.Id, handoff, "the wait's own job", CancellationToken.None), TimeSpan.FromSeconds(5));

        // OFF and ON again before it fires: ON hands the run to a new job, which fires on time and moves the run on.
        await SetOnAsync(ib.TenantId, workflowId, on: false);
        await SetOnAsync(ib.TenantId, workflowId, on: true);

        await Eventually.HoldsAsync(
            async () => (await App.RunsOfAsync(ib.TenantId)).Single() is { Status: RunStatus.Waiting, NextStep: 3 },
            "the run reaches the day-long wait",
            TimeSpan.FromSeconds(30));

        // The wait's own job fires after that, finds itself superseded, and neither runs a step nor waits for the day too.
        await Task.Delay(dueAt + TimeSpan.FromSeconds(5) - TimeProvider.System.GetUtcNow(), TestContext.Current.CancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);

        var steps = await App.StepsOfAsync(ib.TenantId, run.Id);
        Assert.Single(steps, s => s.StepIndex == 1);
        var parked = Assert.Single(await App.RunsOfAsync(ib.TenantId));
        var waitingForTheDay = App.Services.GetRequiredService<JobStorage>().GetMonitoringApi().ScheduledJobs(0, 1000)
            .Where(j => j.Value.Job.Type == typeof(WakeJob) && (Guid)j.Value.Job.Args[0] == ib.TenantId && j.Value.EnqueueAt > TimeProvider.System.GetUtcNow().UtcDateTime.AddHours(1))
            .ToList();
        var live = Assert.Single(waitingForTheDay);
        // The run's time as stored (SQLite keeps it to a tenth of a millisecond) is the wake's.
        Assert.Equal(parked.DueAt, (DateTimeOffset)live.Value.Job.Args[1], TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task AWaitsJob_StoresNoCultureOfItsOwn_WhileAJobCreatedInAnotherCultureKeepsIt()
    {
        var (ib, _, run) = await OneWaitingRunAsync("culture", new WaitStep(1, WaitUnit.Days), new AddTagStep("later"));

        // Created in another culture (a request's, say): that culture is stored, so the job still runs in it.
        var storage = App.Services.GetRequiredService<JobStorage>();
        string french;
        var appCulture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("fr-FR");
        try
        {
            french = App.Services.GetRequiredService<IBackgroundJobClient>().Schedule<RunJob>(j => j.RunAsync(ib.TenantId, run.Id, Guid.NewGuid(), "in French", CancellationToken.None), TimeSpan.FromDays(1));
        }
        finally
        {
            CultureInfo.CurrentCulture = appCulture;
        }

        // The wait's wake, created in the app's culture, stores none: one of the many an import schedules.
        var wait = Assert.Single(storage.GetMonitoringApi().ScheduledJobs(0, 1000), j => j.Value.Job.Type == typeof(WakeJob) && (Guid)j.Value.Job.Args[0] == ib.TenantId);
        using var connection = storage.GetConnection();
        Assert.Null(connection.GetJobParameter(wait.Key, "CurrentCulture"));
        Assert.Equal("\"fr-FR\"", connection.GetJobParameter(french, "CurrentCulture"));
    }

    [Fact]
    public Task WaitsEndingInTheSameSecond_AreAdvancedByAFewJobs_EachRunOnce_NeverEarly() => WakeScenario.RunAsync([App], maxWakes: 12);

    [Fact]
    public async Task AWakeFiredSecondsBeforeItsTime_LeavesOneForItsRun_WhichStepsOnTime()
    {
        var (ib, _, run) = await OneWaitingRunAsync("early", new WaitStep(1, WaitUnit.Minutes), new AddTagStep("fired"));
        var dueAt = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(3);
        await ShortenWaitAsync(ib.TenantId, run.Id, dueAt);

        // The wake for that second, scheduled by a node whose clock runs 3 s ahead, fires now: nothing is due yet.
        App.Services.GetRequiredService<IBackgroundJobClient>().Enqueue<WakeJob>(j => j.RunAsync(ib.TenantId, dueAt, "early wake", CancellationToken.None));

        await Eventually.HoldsAsync(async () => (await App.RunsOfAsync(ib.TenantId)).Single().Status == RunStatus.Completed, "the wait fires", TimeSpan.FromSeconds(30));
        var fired = Assert.Single(await App.StepsOfAsync(ib.TenantId, run.Id), s => s.StepIndex == 1);
        Assert.InRange(fired.ExecutedAt, dueAt, dueAt + Tolerance);
    }

    [Fact]
    public async Task AWakeDueWithinASecond_IsQueuedAtOnce_AndItsRunStepsNoEarlier()
    {
        var (ib, _, run) = await OneWaitingRunAsync("soon", new WaitStep(1, WaitUnit.Minutes), new AddTagStep("fired"));
        var dueAt = TimeProvider.System.GetUtcNow() + TimeSpan.FromMilliseconds(800);
        await ShortenWaitAsync(ib.TenantId, run.Id, dueAt);

        App.Services.GetRequiredService<IRunScheduler>().ScheduleWake(ib.TenantId, dueAt, "soon");

        await Eventually.HoldsAsync(async () => (await App.RunsOfAsync(ib.TenantId)).Single().Status == RunStatus.Completed, "the wait fires", TimeSpan.FromSeconds(30));
        var fired = Assert.Single(await App.StepsOfAsync(ib.TenantId, run.Id), s => s.StepIndex == 1);
        Assert.InRange(fired.ExecutedAt, dueAt, dueAt + Tolerance);

        // Queued, never a delayed job: Hangfire's scheduler, which moves those, can be seconds behind.
        // (The job succeeds a moment after its run's step commits.)
        var monitoring = App.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        bool IsTheWake(KeyValuePair<string, Hangfire.Storage.Monitoring.SucceededJobDto> j) => j.Value.Job?.Type == typeof(WakeJob) && (Guid)j.Value.Job.Args[0] == ib.TenantId;
        await Eventually.HoldsAsync(() => Task.FromResult(monitoring.SucceededJobs(0, 1000).Any(IsTheWake)), "the wake succeeds");
        var wake = Assert.Single(monitoring.SucceededJobs(0, 1000), IsTheWake);
        Assert.DoesNotContain(monitoring.JobDetails(wake.Key).History, h => h.StateName == Hangfire.States.ScheduledState.StateName);
    }

    /// <summary>A new IB with a workflow of <paramref name="steps"/> on capture, and the run of one captured lead, waiting at its first wait.</summary>
    private async Task<(SeededIb Ib, Guid WorkflowId, WorkflowRun Run)> OneWaitingRunAsync(string name, params WorkflowStep[] steps)
    {
        var ib = await App.SeedIbAsync($"{name}@delayed.test", $"{name} IB");
        var workflowId = await App.PublishWorkflowAsync(ib.TenantId, name, new WorkflowTrigger(TriggerKind.LeadCaptured, null), steps);
        await App.CaptureAsync(ib.TenantId, new LeadInput { Email = $"{name}@example.com" });
        await Eventually.HoldsAsync(async () => (await App.RunsOfAsync(ib.TenantId)).SingleOrDefault()?.Status == RunStatus.Waiting, "the run waits");
        return (ib, workflowId, Assert.Single(await App.RunsOfAsync(ib.TenantId)));
    }

    /// <summary>Moves a waiting run's due time to <paramref name="dueAt"/> as a new hand-off, which it returns.</summary>
    private Task<Guid> ShortenWaitAsync(Guid tenantId, Guid runId, DateTimeOffset dueAt) =>
        App.AsTenantAsync(tenantId, async db =>
        {
            var handoff = Guid.NewGuid();
            await db.WorkflowRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.DueAt, dueAt).SetProperty(r => r.Handoff, handoff), TestContext.Current.CancellationToken);
            return handoff;
        });

    private async Task SetOnAsync(Guid tenantId, Guid workflowId, bool on)
    {
        await using var scope = App.Services.CreateAsyncScope();
        using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(tenantId))
        {
            var db = scope.ServiceProvider.GetRequiredService<Automation.Data.ClientFlowDbContext>();
            var workflow = await db.Workflows.SingleAsync(w => w.Id == workflowId, TestContext.Current.CancellationToken);
            Assert.Null(await scope.ServiceProvider.GetRequiredService<WorkflowEditor>().SetOnAsync(workflow, on, TestContext.Current.CancellationToken));
        }
    }
}
