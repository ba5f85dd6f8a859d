using ClientFlow.Automation.Data;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace ClientFlow.Tests.Postgres;

/// <summary>
/// The engine on PostgreSQL with row-level security: the recovery sweep and the tracking pixel
/// cross tenants only through the audited path, each tenant's runs take their own branch, and two
/// workers on one run still commit each step once.
/// </summary>
public sealed class PostgresEngineTests : IAsyncLifetime
{
    private readonly PostgresTestDatabase _database = new();
    private readonly FakeTimeProvider _clock = new(TimeProvider.System.GetUtcNow());
    private ClientFlowAppFactory _app = null!;

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        _app = new ClientFlowAppFactory(_database, configureServices: services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(_clock);
        });
        await _app.StartAsync();

        // The tests count what their own sweeps hand out: the minute's recurring sweep (real time) must not take a
        // run the fake clock has just made due (it did, and a sweep found 1 of the 2 due runs).
        _app.RemoveRecurringSweeps();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task TwoTenants_WaitSendAndBranch_OnTheirOwnRuns()
    {
        var john = await _app.SeedIbAsync("john@pg-engine.test", "John");
        var sarah = await _app.SeedIbAsync("sarah@pg-engine.test", "Sarah");
        foreach (var ib in new[] { john, sarah })
        {
            var welcome = await _app.CreateTemplateAsync(ib.TenantId, "Welcome", "Welcome {{ first_name }}", "<p>Hi</p>");
            await _app.PublishWorkflowAsync(ib.TenantId, "Welcome", new WorkflowTrigger(TriggerKind.TagAdded, CaptureTags.DemoRequest),
            [
                new WaitStep(5, WaitUnit.Minutes),
                new SendEmailStep(welcome.Id),
                new WaitStep(1, WaitUnit.Days),
                new ConditionStep(new OpenedCondition(welcome.Id), [new AddTagStep("engaged")], [new AddTagStep("cold")]),
            ]);
        }

        // The same person under both IBs: two leads, two runs, one per tenant.
        await _app.CaptureAsync(john.TenantId, new LeadInput { Email = "both@example.com", Name = "Bo Th" });
        await _app.CaptureAsync(sarah.TenantId, new LeadInput { Email = "both@example.com", Name = "Bo Th" });
        await AllParkedAsync(john, sarah);

        _clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(2, await _app.SweepRunsAsync());
        await Eventually.HoldsAsync(async () => (await _app.MessagesOfAsync(john.TenantId)).Count(m => m.Status == EmailStatus.Sent) == 1 && (await _app.MessagesOfAsync(sarah.TenantId)).Count(m => m.Status == EmailStatus.Sent) == 1, "each tenant sends its welcome");
        await AllParkedAsync(john, sarah);

        // Only John's lead opens, a minute after delivery (the pixel finds the tenant by token across RLS), from
        // several devices at once: each open counts.
        _clock.Advance(TimeSpan.FromMinutes(1));
        var johnsWelcome = Assert.Single(await _app.MessagesOfAsync(john.TenantId));
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
            (await _app.CreateClient().GetAsync($"/t/o/{johnsWelcome.Token}", TestContext.Current.CancellationToken)).EnsureSuccessStatusCode()));
        Assert.Equal(8, (await _app.MessagesOfAsync(john.TenantId)).Single().OpenCount);

        _clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        Assert.Equal(2, await _app.SweepRunsAsync());
        await Eventually.HoldsAsync(async () => (await _app.RunsOfAsync(john.TenantId)).Single().Status == RunStatus.Completed && (await _app.RunsOfAsync(sarah.TenantId)).Single().Status == RunStatus.Completed, "both runs complete");

        Assert.Contains((await _app.LeadsOfAsync(john.TenantId)).Single().Tags, t => t.Slug == "engaged");
        Assert.Contains((await _app.LeadsOfAsync(sarah.TenantId)).Single().Tags, t => t.Slug == "cold");
        Assert.Null((await _app.MessagesOfAsync(sarah.TenantId)).Single().OpenedAt);
    }

    [Fact]
    public async Task TwoWorkers_AdvancingOneRun_CommitEachStepOnce()
    {
        var ib = await _app.SeedIbAsync("race@pg-engine.test", "Race");
        var template = await _app.CreateTemplateAsync(ib.TenantId, "Once", "Once", "<p>Once</p>");
        await _app.PublishWorkflowAsync(ib.TenantId, "Race", new WorkflowTrigger(TriggerKind.LeadCaptured, null),
            [new WaitStep(1, WaitUnit.Minutes), new SendEmailStep(template.Id), new AddTagStep("after-send")]);
        await _app.CaptureAsync(ib.TenantId, new LeadInput { Email = "raced@example.com" });
        await AllParkedAsync(ib);
        var runId = (await _app.RunsOfAsync(ib.TenantId)).Single().Id;

        _clock.Advance(TimeSpan.FromMinutes(2));
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            await using var scope = _app.Services.CreateAsyncScope();
            using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(ib.TenantId))
            {
                await scope.ServiceProvider.GetRequiredService<RunAdvancer>().AdvanceAsync(runId, null, TestContext.Current.CancellationToken);
            }
        }));

        await Eventually.HoldsAsync(async () => (await _app.RunsOfAsync(ib.TenantId)).Single().Status == RunStatus.Completed, "the run completes");
        Assert.Single(await _app.MessagesOfAsync(ib.TenantId));
        Assert.Equal([0, 1, 2], (await _app.StepsOfAsync(ib.TenantId, runId)).Select(s => s.StepIndex).Order());
    }

    [Fact]
    public async Task OneClickUnsubscribe_UnderRowLevelSecurity_EndsOnlyThatIbsRun()
    {
        var john = await _app.SeedIbAsync("john@pg-unsub.test", "John");
        var sarah = await _app.SeedIbAsync("sarah@pg-unsub.test", "Sarah");
        foreach (var ib in new[] { john, sarah })
        {
            var welcome = await _app.CreateTemplateAsync(ib.TenantId, "Welcome", "Welcome", "<p>Hi</p>");
            await _app.PublishWorkflowAsync(ib.TenantId, "Welcome", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new SendEmailStep(welcome.Id), new WaitStep(1, WaitUnit.Days), new AddTagStep("later")]);
            await _app.CaptureAsync(ib.TenantId, new LeadInput { Email = "both@example.com" });
        }

        await Eventually.HoldsAsync(async () => (await _app.MessagesOfAsync(sarah.TenantId)).Any(m => m.Status == EmailStatus.Sent), "Sarah's welcome is sent");
        await AllParkedAsync(john, sarah);

        // The unsubscribe page finds the tenant by token across RLS, then ends runs in that tenant only.
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" });
        var sarahsWelcome = Assert.Single(await _app.MessagesOfAsync(sarah.TenantId));
        using var response = await _app.CreateClient().PostAsync($"/u/{sarahsWelcome.Token}", form, TestContext.Current.CancellationToken);

        response.EnsureSuccessStatusCode();
        var sarahsRun = Assert.Single(await _app.RunsOfAsync(sarah.TenantId));
        Assert.Equal((RunStatus.Exited, "The lead unsubscribed."), (sarahsRun.Status, sarahsRun.LastError));
        Assert.Equal(LeadStatus.Unsubscribed, Assert.Single(await _app.LeadsOfAsync(sarah.TenantId)).Status);
        Assert.Equal(RunStatus.Waiting, Assert.Single(await _app.RunsOfAsync(john.TenantId)).Status);
        Assert.NotEqual(LeadStatus.Unsubscribed, Assert.Single(await _app.LeadsOfAsync(john.TenantId)).Status);
    }

    /// <summary>
    /// The app connects as a role that owns nothing and has no BYPASSRLS: the engine's own cross-tenant
    /// statements (the pixel's token look-up, the sweeps' lease updates, a tag the inbox adds) with their
    /// tenant filter removed still see and change only the tenant in scope.
    /// </summary>
    [Fact]
    public async Task EnginePaths_WithoutTheirTenantFilter_CannotReachAnotherTenantsRows()
    {
        var john = await _app.SeedIbAsync("john@pg-rls.test", "John");
        var sarah = await _app.SeedIbAsync("sarah@pg-rls.test", "Sarah", "sarahs.lead@example.com");
        var welcome = await _app.CreateTemplateAsync(sarah.TenantId, "Welcome", "Welcome", "<p>Hi</p>");
        await _app.PublishWorkflowAsync(sarah.TenantId, "Welcome", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new SendEmailStep(welcome.Id), new WaitStep(1, WaitUnit.Days)]);
        await _app.CaptureAsync(sarah.TenantId, new LeadInput { Email = "captured@example.com" });
        await AllParkedAsync(sarah);
        var sarahsToken = Assert.Single(await _app.MessagesOfAsync(sarah.TenantId)).Token;
        var sarahsLead = sarah.LeadIds[0];
        var token = TestContext.Current.CancellationToken;

        var (messages, runs, operations, leased, woken, inserted) = await _app.AsTenantAsync(john.TenantId, async db =>
        {
            var unfiltered = new[] { ClientFlowDbContext.TenantFilter };
            var messages = await db.EmailMessages.IgnoreQueryFilters(unfiltered).CountAsync(m => m.Token == sarahsToken, token);
            var runs = await db.WorkflowRuns.IgnoreQueryFilters(unfiltered).CountAsync(token);
            var operations = await db.OutboundOperations.IgnoreQueryFilters(unfiltered).CountAsync(token);
            var leased = await db.OutboundOperations.IgnoreQueryFilters(unfiltered).ExecuteUpdateAsync(s => s.SetProperty(o => o.Attempts, 99), token);
            var woken = await db.WorkflowRuns.IgnoreQueryFilters(unfiltered).ExecuteUpdateAsync(s => s.SetProperty(r => r.DueAt, DateTimeOffset.UnixEpoch), token);
            var inserted = await Record.ExceptionAsync(() => db.Database.ExecuteSqlAsync(
                $"""INSERT INTO "LeadTags" ("Id", "TenantId", "LeadId", "Slug", "AddedAt") VALUES ({Guid.NewGuid()}, {sarah.TenantId}, {sarahsLead}, 'planted', now())""", token));
            return (messages, runs, operations, leased, woken, inserted);
        });

        Assert.Equal((0, 0, 0, 0, 0), (messages, runs, operations, leased, woken));
        Assert.Equal("42501", Assert.IsType<Npgsql.PostgresException>(inserted).SqlState);
        Assert.NotEqual(DateTimeOffset.UnixEpoch, Assert.Single(await _app.RunsOfAsync(sarah.TenantId)).DueAt);
        Assert.All(await _app.AsTenantAsync(sarah.TenantId, db => db.OutboundOperations.AsNoTracking().ToListAsync(token)), o => Assert.NotEqual(99, o.Attempts));
    }

    private Task AllParkedAsync(params SeededIb[] ibs) =>
        Eventually.HoldsAsync(
            async () =>
            {
                foreach (var ib in ibs)
                {
                    var runs = await _app.RunsOfAsync(ib.TenantId);
                    if (runs.Count == 0 || runs.Any(r => r.Status == RunStatus.Running || (r.Status == RunStatus.Waiting && r.DueAt <= _clock.GetUtcNow())))
                    {
                        return false;
                    }
                }

                return true;
            },
            "every run parked in a future wait");
}
