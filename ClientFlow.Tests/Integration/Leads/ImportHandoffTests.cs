using System.Collections.Concurrent;
using System.Data.Common;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Jobs;
using ClientFlow.Automation.Leads.Import;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ClientFlow.Tests.Integration.Leads;

/// <summary>
/// An import hands the runs its rows start to the engine once the rows are stored, not batch by batch: the first steps
/// of its first batches took the machine its later rows needed. The fixture records, in order, each write of the
/// import's progress and each job Hangfire is given for runs, so the order is read rather than timed. Runs that begin
/// with a wait need no job: they begin it with their rows.
/// </summary>
public sealed class ImportHandoffTests(ImportHandoffTests.App fixture) : IClassFixture<ImportHandoffTests.App>
{
    private const int Rows = 2 * LeadImporter.BatchSize + 500;

    private readonly ClientFlowAppFactory _app = fixture.App;

    [Fact]
    public async Task AnImportsRuns_GoToTheEngineAfterItsLastRowIsStored_AndEachTakesItsFirstStep()
    {
        var ib = await SeedAsync("held@import.test");
        var importId = await AddImportAsync(ib.TenantId);
        fixture.Record(onProgressWrite: null);

        await _app.RunImportAsync(ib.TenantId, importId);

        // Marked running, three batches, finished; then the runs, in jobs of at most 100.
        var events = fixture.Events;
        Assert.Equal(5, events.Count(e => e == App.ProgressWrite));
        Assert.True(events.IndexOf(events.First(IsRunJob)) > events.LastIndexOf(App.ProgressWrite), string.Join(", ", events));
        Assert.Equal(Rows, HandedRuns(events));
        Assert.All(events.Where(IsRunJob), e => Assert.InRange(RunsIn(e), 1, AfterCommit.RunsPerJob));
        await AllCompletedAsync(ib.TenantId);
    }

    [Fact]
    public async Task RunsHeldHalfTheEngineLease_GoToTheEngineWhileTheImportGoesOn()
    {
        var ib = await SeedAsync("long@import.test");
        var importId = await AddImportAsync(ib.TenantId);
        var halfLease = _app.Services.GetRequiredService<IOptions<EngineOptions>>().Value.Lease / 2;

        // The third write is the second batch's progress, in its transaction: the first batch's runs, held since that
        // batch committed, have then waited half the lease when the second batch commits.
        fixture.Record(onProgressWrite: n =>
        {
            if (n == 3)
            {
                fixture.Clock.Advance(halfLease);
            }
        });
        await _app.RunImportAsync(ib.TenantId, importId);

        // None before the second batch; both batches' runs before the third; the third batch's at the end.
        var events = fixture.Events;
        var (secondBatch, thirdBatch) = (Nth(events, App.ProgressWrite, 3), Nth(events, App.ProgressWrite, 4));
        Assert.Equal(0, HandedRuns(events.Take(secondBatch)));
        Assert.Equal(2 * LeadImporter.BatchSize, HandedRuns(events.Take(thirdBatch)));
        Assert.Equal(Rows - (2 * LeadImporter.BatchSize), HandedRuns(events.Skip(thirdBatch)));
        await AllCompletedAsync(ib.TenantId);
    }

    [Fact]
    public async Task AnImportThatStopsOnAnError_HandsTheRunsOfTheBatchesItStored()
    {
        var ib = await SeedAsync("stopped@import.test");
        var importId = await AddImportAsync(ib.TenantId);
        fixture.Record(onProgressWrite: n =>
        {
            if (n == 3)
            {
                throw new InvalidOperationException("The second batch could not be saved (injected by the test).");
            }
        });

        await Assert.ThrowsAnyAsync<Exception>(() => _app.RunImportAsync(ib.TenantId, importId));

        // The first batch committed; its runs go to the engine now, not when the sweep finds them a lease later.
        Assert.Equal(LeadImporter.BatchSize, HandedRuns(fixture.Events));
        await AllCompletedAsync(ib.TenantId, LeadImporter.BatchSize);
    }

    [Fact]
    public async Task RunsThatBeginWithAWait_BeginItWithTheirRows_AndNeedNoJobUntilItEnds()
    {
        var ib = await SeedAsync("waits@import.test", new WaitStep(5, WaitUnit.Minutes), new AddTagStep("greeted"));
        var importId = await AddImportAsync(ib.TenantId);
        fixture.Record(onProgressWrite: null);

        await _app.RunImportAsync(ib.TenantId, importId);

        // No run went to the engine: each took its first step, the wait, in the transaction that stored its row.
        Assert.Equal(0, HandedRuns(fixture.Events));
        Assert.Contains(App.WakeBooked, fixture.Events);
        var runs = await _app.RunsOfAsync(ib.TenantId);
        Assert.Equal(Rows, runs.Count);
        Assert.All(runs, r =>
        {
            Assert.Equal(RunStatus.Waiting, r.Status);
            Assert.Equal((0, 1), (r.AtStep, r.NextStep));
            Assert.Equal(r.StartedAt + TimeSpan.FromMinutes(5), r.DueAt);
        });
        var firstSteps = await _app.AsTenantAsync(ib.TenantId, db => db.RunSteps.Where(s => s.StepIndex == 0).ToListAsync(TestContext.Current.CancellationToken));
        Assert.Equal(runs.Select(r => r.Id).Order(), firstSteps.Select(s => s.RunId).Order());
        Assert.All(firstSteps, s => Assert.Equal(("Wait 5 minutes", $"Waiting until {runs.Single(r => r.Id == s.RunId).DueAt:yyyy-MM-dd HH:mm:ss} UTC"), (s.Label, s.Outcome)));

        // When the wait is over, the runs go on from the step after it (here the sweep hands them on, as for a lost wake).
        fixture.Clock.Advance(TimeSpan.FromMinutes(5) + _app.Services.GetRequiredService<IOptions<EngineOptions>>().Value.SweepGrace + TimeSpan.FromSeconds(1));
        while (await _app.SweepRunsAsync() > 0)
        {
        }

        await AllCompletedAsync(ib.TenantId);
        Assert.All(await _app.LeadsOfAsync(ib.TenantId), l => Assert.Contains(l.Tags, t => t.Slug == "greeted"));
    }

    private Task<SeededIb> SeedAsync(string email) => SeedAsync(email, new AddTagStep("greeted"));

    private async Task<SeededIb> SeedAsync(string email, params WorkflowStep[] steps)
    {
        var ib = await _app.SeedIbAsync(email, email);
        await _app.SetMaxLeadsAsync(ib.TenantId, 10_000);
        await _app.PublishWorkflowAsync(ib.TenantId, "Greet", new WorkflowTrigger(TriggerKind.LeadCaptured, null), steps);
        return ib;
    }

    private Task<Guid> AddImportAsync(Guid tenantId) =>
        _app.AddImportAsync(tenantId, "held.csv", "email,name\n" + string.Join('\n', Enumerable.Range(0, Rows).Select(i => $"held{i}@example.com,Person {i}")));

    private Task AllCompletedAsync(Guid tenantId, int runs = Rows) =>
        Eventually.HoldsAsync(
            async () => (await _app.RunsOfAsync(tenantId)) is var all && all.Count == runs && all.All(r => r.Status == RunStatus.Completed),
            $"all {runs} runs take their step");

    private static int HandedRuns(IEnumerable<string> events) => events.Where(IsRunJob).Sum(RunsIn);

    private static bool IsRunJob(string e) => e.StartsWith("runs ", StringComparison.Ordinal);

    private static int RunsIn(string handed) => int.Parse(handed["runs ".Length..], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The index of the <paramref name="n"/>-th (from 1) <paramref name="e"/>.</summary>
    private static int Nth(List<string> events, string e, int n) =>
        events.Select((v, i) => (v, i)).Where(x => x.v == e).Skip(n - 1).First().i;

    /// <summary>The app on its own SQLite file, with a clock the test moves, recording the import's writes and the runs' jobs.</summary>
    public sealed class App : SqliteApp
    {
        public const string ProgressWrite = "progress";

        public const string WakeBooked = "wake";

        private readonly ConcurrentQueue<string> _events = new();
        private readonly ProgressWrites _writes;

        public App() => _writes = new ProgressWrites(_events);

        public FakeTimeProvider Clock { get; } = new(TimeProvider.System.GetUtcNow());

        public List<string> Events => [.. _events];

        /// <summary>Starts a new record; <paramref name="onProgressWrite"/> sees each write of an import's row by its ordinal.</summary>
        public void Record(Action<int>? onProgressWrite)
        {
            _events.Clear();
            _writes.Arm(onProgressWrite);
        }

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            App.RemoveRecurringSweeps();
        }

        protected override void ConfigureServices(IServiceCollection services)
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            services.ConfigureDbContext<SqliteClientFlowDbContext>(o => o.AddInterceptors(_writes));
            DroppingJobClient.Register(services, job =>
            {
                if (job.Type == typeof(RunBatchJob))
                {
                    _events.Enqueue($"runs {((Guid[])job.Args[1]).Length}");
                }
                else if (job.Type == typeof(RunJob))
                {
                    _events.Enqueue("runs 1");
                }
                else if (job.Type == typeof(WakeJob))
                {
                    _events.Enqueue(WakeBooked);
                }

                return false;
            });
        }
    }

    /// <summary>Records each update of an import's row, and hands its ordinal to the test (which may fail it).</summary>
    private sealed class ProgressWrites(ConcurrentQueue<string> events) : DbCommandInterceptor
    {
        private int _count;
        private Action<int>? _onWrite;

        public void Arm(Action<int>? onWrite)
        {
            Volatile.Write(ref _count, 0);
            _onWrite = onWrite;
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Contains("UPDATE \"LeadImports\"", StringComparison.Ordinal))
            {
                events.Enqueue(App.ProgressWrite);
                _onWrite?.Invoke(Interlocked.Increment(ref _count));
            }

            return ValueTask.FromResult(result);
        }
    }
}
