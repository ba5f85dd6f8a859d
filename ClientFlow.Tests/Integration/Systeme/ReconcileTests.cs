using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Jobs;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Systeme;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using ClientFlow.Tests.Infrastructure.Systeme;
using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Systeme;

/// <summary>
/// The prefix query back from Systeme.io, against the emulator over HTTP: contacts paged by each of the IB's tags,
/// missing leads created through the capture path, hand-set tags added once (with their workflows), another IB's tags
/// never read into this IB, and a pass that stops resuming from its cursor.
/// </summary>
public abstract class ReconcileTests<TDatabase> : IAsyncLifetime
    where TDatabase : TestDatabase, new()
{
    private readonly TDatabase _database = new();
    private SystemeEmulator _emulator = null!;
    private ClientFlowAppFactory _app = null!;

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        _emulator = await SystemeEmulator.StartAsync();
        _app = new ClientFlowAppFactory(_database, settings: new Dictionary<string, string?>
        {
            ["Systeme:BaseUrl"] = _emulator.BaseUrl.ToString(),
            ["Systeme:ApiKey"] = SystemeEmulator.ApiKey,
            ["Systeme:MaxRequestsPerSecond"] = "100",
            // One attempt per call: a failed page fails the pass at once, as a long outage would.
            ["Systeme:MaxAttempts"] = "1",
            ["Outbox:MaxBackoff"] = "00:00:02",
        });
        await _app.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _emulator.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task ReconcileNow_CreatesTheIbsMissingLeads_AddsHandSetTagsOnce_AndNeverTakesAnotherIbsTags()
    {
        var john = await _app.SeedIbAsync("john@reconcile.test", "John");
        var sarah = await _app.SeedIbAsync("sarah@reconcile.test", "Sarah");
        await _app.PublishWorkflowAsync(john.TenantId, "Hand tagged", new WorkflowTrigger(TriggerKind.TagAdded, "hand-tag"), [new AddTagStep("handled")]);

        // A lead John captured, synced to Systeme.io, then tagged there by hand.
        var knownId = await _app.CaptureAsync(john.TenantId, new LeadInput { Email = "known@example.com" });
        await Eventually.HoldsAsync(() => Task.FromResult(_emulator.ContactByEmail("known@example.com") is { } c && _emulator.TagNamesOf(c).Contains($"{john.TagPrefix}demo-request")), "the known lead is synced");
        _emulator.TagContact(_emulator.ContactByEmail("known@example.com")!.Id, $"{john.TagPrefix}hand-tag");

        // 130 contacts made in Systeme.io with John's tag (two pages), one carrying both IBs' tags, one only Sarah's.
        for (var i = 0; i < 130; i++)
        {
            _emulator.AddContact($"funnel{i:000}@example.com", $"{john.TagPrefix}demo-request");
        }

        _emulator.AddContact("both@example.com", $"{john.TagPrefix}demo-request", $"{john.TagPrefix}vip", $"{sarah.TagPrefix}demo-request", $"{sarah.TagPrefix}cfd-partner");
        _emulator.AddContact("sarahs@example.com", $"{sarah.TagPrefix}demo-request");
        var sarahTags = _emulator.Tags.Where(t => t.Value.StartsWith(sarah.TagPrefix, StringComparison.Ordinal)).Select(t => t.Key).ToList();

        using var client = _app.CreatePageClient();
        await client.LogInOrFailAsync(john.Email);
        Assert.Equal("not yet", (await client.GetDocumentAsync("/Settings")).QuerySelector("[data-testid=reconcile-last]")?.TextContent);
        (await client.SubmitFormAsync("/Settings", new Dictionary<string, string>(), "[data-testid=systeme-reconcile] form")).Dispose();
        await Eventually.HoldsAsync(
            async () => (await client.GetDocumentAsync("/Settings")).QuerySelector("[data-testid=reconcile-last]")?.TextContent.Contains("131 lead(s) created", StringComparison.Ordinal) == true,
            "the reconcile reports the leads it created");

        var leads = await _app.LeadsOfAsync(john.TenantId);
        Assert.Equal(132 + john.LeadIds.Count, leads.Count);
        Assert.Equal(131, leads.Count(l => l.Source == LeadSource.Systeme));
        var both = leads.Single(l => l.Email == "both@example.com");
        Assert.Equal(["demo-request", "vip"], both.Tags.Select(t => t.Slug).Order(StringComparer.Ordinal));
        Assert.NotNull(both.SystemeContactId);
        Assert.DoesNotContain(leads, l => l.Email == "sarahs@example.com");

        // The hand-set tag reached the known lead and started its workflow, once.
        var known = leads.Single(l => l.Id == knownId);
        Assert.Contains(known.Tags, t => t.Slug == "hand-tag");
        await Eventually.HoldsAsync(async () => (await _app.LeadsOfAsync(john.TenantId)).Single(l => l.Id == knownId).Tags.Any(t => t.Slug == "handled"), "the tag-added workflow ran");
        await Eventually.HoldsAsync(
            () => Task.FromResult(_emulator.TagNamesOf(_emulator.ContactByEmail("known@example.com")!).Contains($"{john.TagPrefix}handled")),
            "the workflow's tag is synced to Systeme.io");

        // Sarah's side is untouched, and John's pass never asked Systeme.io for Sarah's tags.
        Assert.Equal(sarah.LeadIds.Count, (await _app.LeadsOfAsync(sarah.TenantId)).Count);
        var contactQueries = _emulator.Requests.Where(r => r.Method == "GET" && r.PathAndQuery.StartsWith("/api/contacts?tags=", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(contactQueries);
        Assert.DoesNotContain(contactQueries, r => sarahTags.Any(id => r.PathAndQuery.Contains($"tags={id}&", StringComparison.Ordinal)));
        Assert.Contains(contactQueries, r => r.PathAndQuery.Contains("startingAfter=", StringComparison.Ordinal));

        // Two more passes at once (two nodes): one holds the lease, nothing is created or started twice.
        var passes = await Task.WhenAll(ReconcileAsync(john.TenantId), ReconcileAsync(john.TenantId));
        Assert.Contains(true, passes);
        Assert.Equal(132 + john.LeadIds.Count, (await _app.LeadsOfAsync(john.TenantId)).Count);
        Assert.Single(await _app.AsTenantAsync(john.TenantId, db => db.WorkflowRuns.Where(r => r.LeadId == knownId).ToListAsync(TestContext.Current.CancellationToken)));
        var state = await _app.AsTenantAsync(john.TenantId, db => db.SystemeReconciles.AsNoTracking().SingleAsync(TestContext.Current.CancellationToken));
        // demo-request, hand-tag, vip, and "handled", which the workflow added and the outbox synced meanwhile.
        Assert.StartsWith("4 prefixed tag(s)", state.LastReport, StringComparison.Ordinal);
        Assert.Contains("0 lead(s) created, 0 tag(s) added", state.LastReport, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APassThatFails_ResumesFromItsCursor()
    {
        var ib = await _app.SeedIbAsync("resume@reconcile.test", "Resume IB");
        for (var i = 0; i < 250; i++)
        {
            _emulator.AddContact($"page{i:000}@example.com", $"{ib.TagPrefix}demo-request");
        }

        // The second page fails (an outage longer than the call's retries).
        _emulator.FailMatching(path => path.StartsWith("/api/contacts?tags=", StringComparison.Ordinal) && path.Contains("startingAfter=", StringComparison.Ordinal), count: 1);
        await Assert.ThrowsAnyAsync<Exception>(() => ReconcileAsync(ib.TenantId));
        var stopped = await _app.AsTenantAsync(ib.TenantId, db => db.SystemeReconciles.AsNoTracking().SingleAsync(TestContext.Current.CancellationToken));
        Assert.NotNull(stopped.StartingAfter);
        Assert.NotNull(stopped.LastError);
        Assert.Null(stopped.LeaseOwner);
        Assert.Equal(100, (await _app.LeadsOfAsync(ib.TenantId)).Count);

        // The next run's first page is the one after the cursor, not the first again.
        var before = _emulator.Requests.Count;
        Assert.True(await ReconcileAsync(ib.TenantId));
        var firstPage = _emulator.Requests.Skip(before).First(r => r.PathAndQuery.StartsWith("/api/contacts?tags=", StringComparison.Ordinal));
        Assert.Contains($"startingAfter={stopped.StartingAfter}", firstPage.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal(250, (await _app.LeadsOfAsync(ib.TenantId)).Count);
        var done = await _app.AsTenantAsync(ib.TenantId, db => db.SystemeReconciles.AsNoTracking().SingleAsync(TestContext.Current.CancellationToken));
        Assert.Null(done.TagId);
        Assert.Null(done.LastError);
        Assert.Contains("250 lead(s) created", done.LastReport, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheRecurringReconcile_FollowsSystemeReconcileMinutes()
    {
        await using var database = new SqliteTestDatabase();
        await database.InitializeAsync();
        await using var every15 = new ClientFlowAppFactory(database, settings: new Dictionary<string, string?> { ["Systeme:ReconcileMinutes"] = "15" });
        await every15.StartAsync();
        using var connection = every15.Services.GetRequiredService<JobStorage>().GetConnection();
        Assert.Equal("*/15 * * * *", connection.GetRecurringJobs().Single(j => j.Id == SystemeReconcileJob.RecurringId).Cron);

        // 0 (the test default) registers none.
        using var none = _app.Services.GetRequiredService<JobStorage>().GetConnection();
        Assert.DoesNotContain(none.GetRecurringJobs(), j => j.Id == SystemeReconcileJob.RecurringId);
    }

    private async Task<bool> ReconcileAsync(Guid tenantId)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<SystemeReconciler>().RunAsync(tenantId, TestContext.Current.CancellationToken);
    }
}

/// <summary>The reconcile on SQLite.</summary>
public sealed class SqliteReconcileTests : ReconcileTests<SqliteTestDatabase>;
