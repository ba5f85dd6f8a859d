using ClientFlow.Automation.Email;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Jobs;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Outbox;
using ClientFlow.Automation.Retention;
using ClientFlow.Automation.Webhooks;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using ClientFlow.Tests.Integration.Retention;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace ClientFlow.Tests.Postgres;

/// <summary>
/// Retention on PostgreSQL as production runs it: the app connects as a role that owns nothing and is bound by
/// row-level security, so a statement outside a tenant's scope sees no tenant rows at all. The pruner still
/// clears both tenants' old rows, in batches, and leaves what each tenant must keep.
/// </summary>
public sealed class PostgresRetentionTests : IAsyncLifetime
{
    private readonly PostgresTestDatabase _database = new();
    private readonly FakeTimeProvider _clock = new(TimeProvider.System.GetUtcNow());
    private ClientFlowAppFactory _app = null!;

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        _app = new ClientFlowAppFactory(_database, settings: new Dictionary<string, string?> { ["Retention:BatchSize"] = "2" }, configureServices: services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(_clock);
        });
        await _app.StartAsync();

        // The test runs the pruner itself: the hourly run, firing at the top of the hour, would split its counts.
        _app.Services.GetRequiredService<IRecurringJobManager>().RemoveIfExists(RetentionJob.RecurringId);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Prune_AsTheAppRoleUnderRowLevelSecurity_ClearsEachTenantsOldRows_AndKeepsWhatEachMustKeep()
    {
        var john = await _app.SeedIbAsync("john@pg-retention.test", "John");
        var sarah = await _app.SeedIbAsync("sarah@pg-retention.test", "Sarah");
        foreach (var ib in new[] { john, sarah })
        {
            await _app.PublishWorkflowAsync(ib.TenantId, "Tags", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new AddTagStep("a"), new AddTagStep("b"), new AddTagStep("c")]);
            await _app.CaptureAsync(ib.TenantId, new LeadInput { Email = "both@example.com" });
        }

        await Eventually.HoldsAsync(
            async () => (await _app.RunsOfAsync(john.TenantId)).SingleOrDefault()?.Status == RunStatus.Completed && (await _app.RunsOfAsync(sarah.TenantId)).SingleOrDefault()?.Status == RunStatus.Completed,
            "both runs complete");

        _clock.Advance(TimeSpan.FromDays(200));
        var old = _clock.GetUtcNow() - TimeSpan.FromDays(100);
        var unconfirmed = new Dictionary<Guid, EmailMessage>();
        foreach (var ib in new[] { john, sarah })
        {
            unconfirmed[ib.TenantId] = RetentionRows.Email(EmailStatus.Unconfirmed, old);
            await _app.AddRowsAsync(
                ib.TenantId,
                RetentionRows.Email(EmailStatus.Sent, old, old),
                RetentionRows.Email(EmailStatus.Sent, old, old),
                RetentionRows.Email(EmailStatus.Sent, old, old),
                unconfirmed[ib.TenantId],
                RetentionRows.Operation(OutboundStatus.Done, old, old),
                RetentionRows.Operation(OutboundStatus.Done, old, old),
                RetentionRows.Operation(OutboundStatus.Done, old, old),
                RetentionRows.Operation(OutboundStatus.DeadLettered, old, completedAt: null),
                RetentionRows.Event(InboundStatus.Processed, old, old, ib.TenantId));
        }

        // Inbox events before their tenant is known carry none.
        var deadLettered = RetentionRows.Event(InboundStatus.DeadLettered, old, old);
        await _app.AddRowsAsync(john.TenantId, RetentionRows.Event(InboundStatus.Ignored, old, old), deadLettered);

        Assert.Equal(new RetentionResult(EmailBodies: 6, RunSteps: 6, InboxEvents: 3, OutboxOperations: 6), await _app.PruneAsync());

        foreach (var ib in new[] { john, sarah })
        {
            var messages = await _app.MessagesOfAsync(ib.TenantId);
            Assert.Equal(4, messages.Count);
            Assert.All(messages.Where(m => m.Status == EmailStatus.Sent), m => Assert.Equal(RetentionPruner.RemovedHtmlBody, m.HtmlBody));
            Assert.Equal(RetentionRows.HtmlBody, messages.Single(m => m.Id == unconfirmed[ib.TenantId].Id).HtmlBody);

            Assert.Empty(await _app.StepsOfAsync(ib.TenantId, (await _app.RunsOfAsync(ib.TenantId)).Single().Id));

            var operations = await _app.AsTenantAsync(ib.TenantId, db => db.OutboundOperations.AsNoTracking().ToListAsync(TestContext.Current.CancellationToken));
            Assert.DoesNotContain(operations, o => o.Status == OutboundStatus.Done);
            Assert.Single(operations, o => o.Status == OutboundStatus.DeadLettered);
        }

        var events = await _app.AsTenantAsync(john.TenantId, db => db.InboundEvents.AsNoTracking().Select(e => e.Id).ToListAsync(TestContext.Current.CancellationToken));
        Assert.Equal([deadLettered.Id], events);
    }
}
