using System.Net;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Jobs;
using ClientFlow.Automation.Webhooks;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using ClientFlow.Tests.Integration.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Webhooks;

/// <summary>
/// Events handed out together are processed together: one claim for the batch, and each IB's tag events in one
/// transaction. Whatever the batch holds, each event ends as it would have alone, and once, however many workers
/// are handed the same batch. (The fixture's inbox jobs can be lost on the way to Hangfire, so a test hands the
/// stored events to the batch job itself.)
/// </summary>
public sealed class InboxBatchTests(DeadLetterApp fixture) : IClassFixture<DeadLetterApp>
{
    private ClientFlowAppFactory App => fixture.App;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ABatchOfTagEvents_ForTwoIbs_EndsAsEachEventWouldAlone()
    {
        var john = await App.SeedIbAsync("john@batch.test", "John", "ann@example.com", "ben@example.com", "cat@example.com", "eve@example.com");
        var sarah = await App.SeedIbAsync("sarah@batch.test", "Sarah", "ann@example.com");
        await App.PublishWorkflowAsync(john.TenantId, "VIP welcome", new WorkflowTrigger(TriggerKind.TagAdded, "vip"), [new AddTagStep("welcomed")]);
        // Cat is known to Systeme.io by her contact id, under an address she has since changed there.
        await App.AsTenantAsync(john.TenantId, db => db.Leads.Where(l => l.Email == "cat@example.com").ExecuteUpdateAsync(s => s.SetProperty(l => l.SystemeContactId, 555L), Ct));

        var events = await StoreHeldAsync(
            Tag("CONTACT_TAG_ADDED", john.TagPrefix + "vip", "ann@example.com", 11),
            Tag("CONTACT_TAG_ADDED", john.TagPrefix + "vip", "ann@example.com", 11),
            Tag("CONTACT_TAG_ADDED", sarah.TagPrefix + "vip", "ann@example.com", 11),
            Tag("CONTACT_TAG_ADDED", john.TagPrefix + "hot", "ben@example.com", 12),
            Tag("CONTACT_TAG_REMOVED", john.TagPrefix + "hot", "ben@example.com", 12),
            Tag("CONTACT_TAG_ADDED", john.TagPrefix + "linked", "cat.new@example.com", 555),
            Tag("CONTACT_TAG_ADDED", john.TagPrefix + "vip", "nobody@example.com", 13),
            Tag("CONTACT_TAG_ADDED", "ib-zzzzzzzz-vip", "ann@example.com", 11),
            ("CONTACT_CREATED", """{"contact":{"id":77,"email":"eve@example.com"}}"""));

        await RunBatchAsync(events);

        var stored = await EventsAsync(events);
        Assert.All(stored, e => Assert.Equal(1, e.Attempts));
        Assert.All(stored, e => Assert.Null(e.LeaseOwner));
        Assert.Equal(
            new (InboundStatus, string)[]
            {
                (InboundStatus.Processed, "Added vip on ann@example.com."),
                (InboundStatus.Processed, "Added vip on ann@example.com (already so)."),
                (InboundStatus.Processed, "Added vip on ann@example.com."),
                (InboundStatus.Processed, "Added hot on ben@example.com."),
                (InboundStatus.Processed, "Removed hot on ben@example.com."),
                (InboundStatus.Processed, "Added linked on cat@example.com."),
                (InboundStatus.Ignored, "The IB has no lead nobody@example.com."),
                (InboundStatus.Ignored, "Tag \"ib-zzzzzzzz-vip\" carries no known IB prefix."),
                (InboundStatus.Processed, "Linked contact 77 to 1 IB(s)."),
            },
            stored.Select(e => (e.Status, e.Outcome!)));
        Assert.Equal(new[] { john.TenantId, john.TenantId, sarah.TenantId, john.TenantId, john.TenantId, john.TenantId, john.TenantId }, stored.Take(7).Select(e => e.TenantId!.Value));

        var johns = (await App.LeadsOfAsync(john.TenantId)).ToDictionary(l => l.Email);
        Assert.Single(johns["ann@example.com"].Tags, t => t.Slug == "vip");
        Assert.DoesNotContain(johns["ben@example.com"].Tags, t => t.Slug == "hot");
        Assert.Contains(johns["cat@example.com"].Tags, t => t.Slug == "linked");
        Assert.Equal(11, johns["ann@example.com"].SystemeContactId);
        Assert.Equal(12, johns["ben@example.com"].SystemeContactId);
        Assert.Equal(77, johns["eve@example.com"].SystemeContactId);
        Assert.Contains((await App.LeadsOfAsync(sarah.TenantId)).Single().Tags, t => t.Slug == "vip");

        // Ann was tagged vip twice in the batch, and enrolled once; her run goes on to its step.
        Assert.Equal(johns["ann@example.com"].Id, Assert.Single(await App.RunsOfAsync(john.TenantId)).LeadId);
        await Eventually.HoldsAsync(async () => (await App.LeadsOfAsync(john.TenantId)).Single(l => l.Email == "ann@example.com").Tags.Any(t => t.Slug == "welcomed"), "Ann's run takes its step");
    }

    [Fact]
    public async Task TwoWorkersHandedTheSameBatch_ProcessEachEventOnce()
    {
        var emails = Enumerable.Range(0, 40).Select(i => $"twice-{i}@example.com").ToArray();
        var ib = await App.SeedIbAsync("twice@batch.test", "Twice", emails);
        await App.PublishWorkflowAsync(ib.TenantId, "Hot welcome", new WorkflowTrigger(TriggerKind.TagAdded, "hot"), [new AddTagStep("welcomed")]);
        var events = await StoreHeldAsync([.. emails.Select((email, i) => Tag("CONTACT_TAG_ADDED", ib.TagPrefix + "hot", email, 2000 + i))]);

        // The sweep and a retry can hand one event to two jobs, on two nodes: the batch's claim gives each to one.
        await Task.WhenAll(RunBatchAsync(events), RunBatchAsync(events));

        var stored = await EventsAsync(events);
        Assert.All(stored, e => Assert.Equal((InboundStatus.Processed, 1), (e.Status, e.Attempts)));
        Assert.All(stored, e => Assert.DoesNotContain("already so", e.Outcome, StringComparison.Ordinal));
        var runs = await App.RunsOfAsync(ib.TenantId);
        Assert.Equal(emails.Length, runs.Count);
        Assert.Equal(emails.Length, runs.Select(r => r.LeadId).Distinct().Count());
    }

    [Fact]
    public async Task ABatchWhoseClaimOnAnEventLapsed_RecordsNothingOnIt_AndTheRestAsUsual()
    {
        var emails = Enumerable.Range(0, 5).Select(i => $"lapsed-{i}@example.com").ToArray();
        var ib = await App.SeedIbAsync("lapsed@batch.test", "Lapsed", emails);
        var events = await StoreHeldAsync([.. emails.Select((email, i) => Tag("CONTACT_TAG_ADDED", ib.TagPrefix + "warm", email, 3000 + i))]);

        Assert.All(await EventsAsync(events), e => Assert.Equal((InboundStatus.Pending, 0), (e.Status, e.Attempts)));

        // The batch claims all five; before it records them, another worker has taken over the third.
        fixture.StealClaimOf = (events[2], emails[2]);
        await RunBatchAsync(events);

        var stored = await EventsAsync(events);
        Assert.Null(fixture.StealClaimOf);
        var taken = stored[2];
        Assert.Equal((InboundStatus.Processing, fixture.Thief, null), (taken.Status, taken.LeaseOwner, taken.Outcome));
        Assert.All(stored.Where(e => e.Id != taken.Id), e => Assert.Equal((InboundStatus.Processed, null), (e.Status, e.LeaseOwner)));
        // Its tag is there all the same: the effects are idempotent, and the thief's processing finds them made.
        Assert.All(await App.LeadsOfAsync(ib.TenantId), l => Assert.Contains(l.Tags, t => t.Slug == "warm"));
    }

    [Fact]
    public async Task TagEventsThatChangeNothing_AreRecordedAsSuch_AndLeaveTheirLeadAsItWas()
    {
        var ib = await App.SeedIbAsync("echo@batch.test", "Echo", "dan@example.com", "emma@example.com");
        await App.PublishWorkflowAsync(ib.TenantId, "VIP welcome", new WorkflowTrigger(TriggerKind.TagAdded, "vip"), [new AddTagStep("welcomed")]);
        await RunBatchAsync(await StoreHeldAsync(Tag("CONTACT_TAG_ADDED", ib.TagPrefix + "vip", "dan@example.com", 600)));
        var dan = (await App.LeadsOfAsync(ib.TenantId)).Single(l => l.Email == "dan@example.com");
        var vipAddedAt = dan.Tags.Single(t => t.Slug == "vip").AddedAt;
        Assert.Equal(600, dan.SystemeContactId);

        // Systeme.io echoes what Dan has (a tag he has, one he lacks removed); Emma's event changes her, in the same batch.
        var events = await StoreHeldAsync(
            Tag("CONTACT_TAG_ADDED", ib.TagPrefix + "vip", "dan@example.com", 600),
            Tag("CONTACT_TAG_REMOVED", ib.TagPrefix + "cold", "dan@example.com", 600),
            Tag("CONTACT_TAG_ADDED", ib.TagPrefix + "vip", "emma@example.com", 601),
            Tag("CONTACT_TAG_ADDED", ib.TagPrefix + "vip", "dan@example.com", 600));
        await RunBatchAsync(events);

        Assert.Equal(
            new (InboundStatus, string, Guid?)[]
            {
                (InboundStatus.Processed, "Added vip on dan@example.com (already so).", ib.TenantId),
                (InboundStatus.Processed, "Removed cold on dan@example.com (already so).", ib.TenantId),
                (InboundStatus.Processed, "Added vip on emma@example.com.", ib.TenantId),
                (InboundStatus.Processed, "Added vip on dan@example.com (already so).", ib.TenantId),
            },
            (await EventsAsync(events)).Select(e => (e.Status, e.Outcome!, e.TenantId)));
        var leads = (await App.LeadsOfAsync(ib.TenantId)).ToDictionary(l => l.Email);
        Assert.Equal(vipAddedAt, leads["dan@example.com"].Tags.Single(t => t.Slug == "vip").AddedAt);
        Assert.Equal(601, leads["emma@example.com"].SystemeContactId);
        Assert.Contains(leads["emma@example.com"].Tags, t => t.Slug == "vip");
        // Dan was enrolled by his first vip, not again by its echoes; Emma by hers.
        Assert.Equal(
            new[] { leads["dan@example.com"].Id, leads["emma@example.com"].Id }.Order(),
            (await App.RunsOfAsync(ib.TenantId)).Select(r => r.LeadId).Order());
    }

    private static (string EventType, string Json) Tag(string eventType, string tagName, string email, long contactId) =>
        (eventType, $$$"""{"contact":{"id":{{{contactId}}},"email":"{{{email}}}"},"tag":{"id":5,"name":"{{{tagName}}}"}}""");

    /// <summary>Posts the events through the signed endpoint with their jobs lost; returns their ids in order.</summary>
    private async Task<Guid[]> StoreHeldAsync(params (string EventType, string Json)[] events)
    {
        var messageIds = events.Select(_ => $"batch-{Guid.NewGuid():N}").ToArray();
        fixture.LoseInboxJobs = true;
        try
        {
            foreach (var ((eventType, json), messageId) in events.Zip(messageIds))
            {
                Assert.Equal(HttpStatusCode.Accepted, await SignedWebhooks.PostAsync(App, DeadLetterApp.Secret, eventType, messageId, json));
            }

            var ids = new Guid[messageIds.Length];
            for (var i = 0; i < ids.Length; i++)
            {
                var messageId = messageIds[i];
                ids[i] = await QueryAsync(db => db.InboundEvents.Where(e => e.MessageId == messageId).Select(e => e.Id).SingleAsync(Ct));
                var id = ids[i];
                await Eventually.HoldsAsync(() => Task.FromResult(fixture.LostEvents.Contains(id)), "the event's job is lost");
            }

            return ids;
        }
        finally
        {
            fixture.LoseInboxJobs = false;
        }
    }

    private async Task RunBatchAsync(Guid[] eventIds)
    {
        await using var scope = App.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<InboxJob>().RunBatchAsync(eventIds, eventIds.Length, Ct);
    }

    private async Task<List<InboundEvent>> EventsAsync(Guid[] eventIds)
    {
        var stored = await QueryAsync(db => db.InboundEvents.AsNoTracking().Where(e => eventIds.Contains(e.Id)).ToListAsync(Ct));
        return [.. eventIds.Select(id => stored.Single(e => e.Id == id))];
    }

    private async Task<T> QueryAsync<T>(Func<ClientFlowDbContext, Task<T>> query)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>());
    }
}
