using System.Net;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Webhooks;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;

namespace ClientFlow.Tests.Postgres;

/// <summary>Signed Systeme.io events on PostgreSQL: stored once, routed by the tag's prefix under row-level security.</summary>
public sealed class PostgresWebhookTests : IAsyncLifetime
{
    private const string Secret = "pg-webhook-secret";
    private readonly PostgresTestDatabase _database = new();
    private readonly TestLogSink _log = new();
    private ClientFlowAppFactory _app = null!;

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        _app = new ClientFlowAppFactory(_database, settings: new Dictionary<string, string?>
        {
            ["Systeme:WebhookSecret"] = Secret,
            // Long enough that no run stalled by a lost race is rescued by the sweep while a test watches.
            ["Engine:Lease"] = "00:10:00",
        }, configureServices: services => services.AddSingleton<ILogEventSink>(_log));
        await _app.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task TagAdded_ForJohnsPrefix_TagsAndEnrolsOnlyJohnsLead_EvenWhenRedelivered()
    {
        var john = await _app.SeedIbAsync("john@pg-hooks.test", "John");
        var sarah = await _app.SeedIbAsync("sarah@pg-hooks.test", "Sarah");
        foreach (var ib in new[] { john, sarah })
        {
            await _app.PublishWorkflowAsync(ib.TenantId, "VIP", new WorkflowTrigger(TriggerKind.TagAdded, "vip"), [new AddTagStep("vip-welcomed")]);
            await _app.CaptureAsync(ib.TenantId, new LeadInput { Email = "both@example.com" });
        }

        var body = $$$"""{"contact":{"contact":{"id":900,"email":"Both@Example.com"}},"tag":{"id":5,"name":"{{{john.TagPrefix}}}vip"}}""";
        var first = await PostAsync("CONTACT_TAG_ADDED", "pg-1", body);
        var again = await PostAsync("CONTACT_TAG_ADDED", "pg-1", body);
        Assert.Equal(HttpStatusCode.Accepted, first);
        Assert.Equal(HttpStatusCode.Accepted, again);

        await Eventually.HoldsAsync(async () => (await _app.LeadsOfAsync(john.TenantId)).Single().Tags.Any(t => t.Slug == "vip-welcomed"), "John's workflow runs");
        var johnsLead = (await _app.LeadsOfAsync(john.TenantId)).Single();
        Assert.Contains(johnsLead.Tags, t => t.Slug == "vip");
        Assert.Equal(900, johnsLead.SystemeContactId);
        Assert.DoesNotContain((await _app.LeadsOfAsync(sarah.TenantId)).Single().Tags, t => t.Slug is "vip" or "vip-welcomed");
        Assert.Single(await _app.RunsOfAsync(john.TenantId));
        Assert.Empty(await _app.RunsOfAsync(sarah.TenantId));

        var single = Assert.Single(await StoredAsync());
        Assert.Equal(InboundStatus.Processed, single.Status);
        Assert.Equal(1, single.Attempts);
    }

    [Fact]
    public async Task SameTagReportedByManyDeliveriesAtOnce_IsAddedOnce_AndEachEventIsProcessedOnItsFirstAttempt()
    {
        var ib = await _app.SeedIbAsync("race@pg-hooks.test", "Race");
        await _app.PublishWorkflowAsync(ib.TenantId, "VIP", new WorkflowTrigger(TriggerKind.TagAdded, "vip"), [new AddTagStep("vip-welcomed")]);
        await _app.CaptureAsync(ib.TenantId, new LeadInput { Email = "race@example.com" });
        var body = $$$"""{"contact":{"id":901,"email":"race@example.com"},"tag":{"id":5,"name":"{{{ib.TagPrefix}}}vip"}}""";

        // On PostgreSQL the losing insert waits for the winner's commit, then fails on the unique key.
        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => PostAsync("CONTACT_TAG_ADDED", $"pg-race-{i}", body)));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Accepted, a));
        await Eventually.HoldsAsync(AllProcessedAsync, "every delivery is processed");
        var stored = await StoredAsync();
        Assert.Equal(12, stored.Count);
        Assert.All(stored, e => Assert.Equal((InboundStatus.Processed, 1), (e.Status, e.Attempts)));
        await Eventually.HoldsAsync(async () => (await _app.LeadsOfAsync(ib.TenantId)).Single().Tags.Any(t => t.Slug == "vip-welcomed"), "the workflow runs");
        Assert.Single((await _app.LeadsOfAsync(ib.TenantId)).Single().Tags, t => t.Slug == "vip");
        Assert.Single(await _app.RunsOfAsync(ib.TenantId));
    }

    [Fact]
    public async Task RunAddingATag_WhileSysteme_ReportsTheSameTag_CarriesOnWithoutWaitingForTheSweep()
    {
        const int leads = 20;
        var ib = await _app.SeedIbAsync("clash@pg-hooks.test", "Clash");
        await _app.PublishWorkflowAsync(ib.TenantId, "Tag on capture", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new AddTagStep("vip"), new AddTagStep("done")]);

        // Each lead's run adds "vip" as its first step while Systeme.io reports "vip" added to the same contact:
        // under READ COMMITTED whichever commits second fails on the unique key.
        await Task.WhenAll(Enumerable.Range(0, leads).Select(async i =>
        {
            var email = $"clash-{i}@example.com";
            await _app.CaptureAsync(ib.TenantId, new LeadInput { Email = email });
            Assert.Equal(HttpStatusCode.Accepted, await PostAsync(
                "CONTACT_TAG_ADDED", $"pg-clash-{i}", $$$"""{"contact":{"id":{{{2000 + i}}},"email":"{{{email}}}"},"tag":{"id":5,"name":"{{{ib.TagPrefix}}}vip"}}"""));
        }));

        await Eventually.HoldsAsync(
            async () => (await _app.RunsOfAsync(ib.TenantId)).Count(r => r.Status == RunStatus.Completed) == leads,
            "every run completes, none left to the sweep");
        await Eventually.HoldsAsync(AllProcessedAsync, "every Systeme.io event is processed");
        Assert.All(await _app.LeadsOfAsync(ib.TenantId), l =>
        {
            Assert.Single(l.Tags, t => t.Slug == "vip");
            Assert.Single(l.Tags, t => t.Slug == "done");
        });
        Assert.All(await StoredAsync(), e => Assert.Equal((InboundStatus.Processed, 1), (e.Status, e.Attempts)));
    }

    [Fact]
    public async Task TagEventsForManyLeads_AreRecordedTogether_EachWithItsOutcomeAndIb()
    {
        var emails = Enumerable.Range(0, 30).Select(i => $"together-{i}@example.com").ToArray();
        var ib = await _app.SeedIbAsync("together@pg-hooks.test", "Together", emails);

        await Task.WhenAll(emails.Select(async (email, i) => Assert.Equal(HttpStatusCode.Accepted, await PostAsync(
            "CONTACT_TAG_ADDED", $"pg-together-{i}", $$$"""{"contact":{"id":{{{3000 + i}}},"email":"{{{email}}}"},"tag":{"id":5,"name":"{{{ib.TagPrefix}}}warm"}}"""))));

        await Eventually.HoldsAsync(AllProcessedAsync, "every event is processed");
        var stored = (await StoredAsync()).ToDictionary(e => e.MessageId);
        Assert.All(emails.Select((email, i) => (email, stored[$"pg-together-{i}"])), pair => Assert.Equal(
            (InboundStatus.Processed, $"Added warm on {pair.email}.", ib.TenantId, 1, (Guid?)null),
            (pair.Item2.Status, pair.Item2.Outcome, pair.Item2.TenantId!.Value, pair.Item2.Attempts, pair.Item2.LeaseOwner)));
        // Each job's events were written in its one transaction: none fell back to being processed alone.
        Assert.DoesNotContain(_log.Events, e => e.MessageTemplate.Text.Contains("processing each alone", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WhenTheDatabaseDropsTheInboxConnection_TheDeliveryItFailsIsRefused_AndItsRetryAndTheNextAreStoredOnce()
    {
        var ib = await _app.SeedIbAsync("dropped@pg-hooks.test", "Dropped", "dropped@example.com");
        string Body(string slug) => $$$"""{"contact":{"id":4000,"email":"dropped@example.com"},"tag":{"id":5,"name":"{{{ib.TagPrefix}}}{{{slug}}}"}}""";
        Assert.Equal(HttpStatusCode.Accepted, await PostAsync("CONTACT_TAG_ADDED", "pg-dropped-1", Body("first")));

        // A failover or a restart ends the server side of the connection the inbox keeps open for storing.
        await using (var server = new Npgsql.NpgsqlConnection(_database.ServerConnectionString))
        {
            await server.OpenAsync(TestContext.Current.CancellationToken);
            await using var terminate = new Npgsql.NpgsqlCommand(
                """SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = @db AND query LIKE 'INSERT INTO "InboundEvents"%'""", server);
            terminate.Parameters.AddWithValue("db", _database.Name);
            Assert.Equal(1L, await terminate.ExecuteScalarAsync(TestContext.Current.CancellationToken));
        }

        // The delivery that meets the dead connection is refused (the sender delivers it again); none after it is.
        using (var delivery = SignedWebhooks.Request(Secret, "CONTACT_TAG_ADDED", "pg-dropped-2", Body("second")))
        using (var refused = await _app.CreateClient().SendAsync(delivery, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(HttpStatusCode.Accepted, await PostAsync("CONTACT_TAG_ADDED", "pg-dropped-2", Body("second")));
        Assert.Equal(HttpStatusCode.Accepted, await PostAsync("CONTACT_TAG_ADDED", "pg-dropped-3", Body("third")));

        await Eventually.HoldsAsync(AllProcessedAsync, "every stored event is processed");
        Assert.Equal(
            new[] { "pg-dropped-1", "pg-dropped-2", "pg-dropped-3" },
            (await StoredAsync()).Where(e => e.MessageId.StartsWith("pg-dropped-", StringComparison.Ordinal)).Select(e => e.MessageId).Order());
        Assert.Equal(new[] { "first", "second", "third" }, (await _app.LeadsOfAsync(ib.TenantId)).Single().Tags.Select(t => t.Slug).Order());
    }

    private async Task<bool> AllProcessedAsync() =>
        (await StoredAsync()).All(e => e.Status is not (InboundStatus.Pending or InboundStatus.Processing));

    private async Task<List<InboundEvent>> StoredAsync()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>().InboundEvents.AsNoTracking().ToListAsync(TestContext.Current.CancellationToken);
    }

    private Task<HttpStatusCode> PostAsync(string eventType, string messageId, string json) =>
        SignedWebhooks.PostAsync(_app, Secret, eventType, messageId, json);
}
