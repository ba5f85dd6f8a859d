using System.Net;
using System.Security.Cryptography;
using System.Text;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Webhooks;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace ClientFlow.Tests.Integration.Webhooks;

/// <summary>The app with a webhook secret and no Systeme.io API key (offline).</summary>
public sealed class SystemeWebhookApp : SqliteApp
{
    public const string Secret = "whsec-test-secret";

    public TestLogSink Log { get; } = new();

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<ILogEventSink>(Log);

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Systeme:WebhookSecret"] = Secret,
        ["Systeme:ApiKey"] = string.Empty,
    };
}

/// <summary>
/// Inbound Systeme.io events end to end: <c>POST /webhooks/systeme</c> (signed service) and
/// <c>POST /webhooks/systeme/t/{token}</c> (per-IB workflow action). Only good signatures are stored,
/// each message id once; every stored event is processed exactly once, in the tenant its tag prefix,
/// owner field or token names.
/// </summary>
public sealed class SystemeWebhookTests(SystemeWebhookApp fixture) : IClassFixture<SystemeWebhookApp>
{
    private const string TagAdded = "CONTACT_TAG_ADDED";

    private ClientFlowAppFactory App => fixture.App;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ServiceWebhook_GoodSignature_IsAcceptedStoredAndProcessed()
    {
        var ib = await App.SeedIbAsync("good@sig.test", "Good Sig");
        await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "good-sig@example.com" });
        var messageId = NewId("good");

        var response = await PostServiceAsync(TagBody(ib.TagPrefix + "signed", "good-sig@example.com"), "CONTACT_TAG_ADDED", messageId);

        Assert.Equal(HttpStatusCode.Accepted, response.Status);
        var stored = await ProcessedAsync(messageId);
        Assert.Equal(InboundStatus.Processed, stored.Status);
        Assert.Equal(InboundSource.SystemeService, stored.Source);
        Assert.Equal("CONTACT_TAG_ADDED", stored.EventType);
        Assert.Equal(1, stored.Attempts);
        Assert.NotNull(stored.ProcessedAt);
        Assert.Contains((await App.LeadsOfAsync(ib.TenantId)).Single().Tags, t => t.Slug == "signed");
    }

    [Fact]
    public async Task ServiceWebhook_BadMissingWrongSecretOrAlteredSignature_Gets401_AndStoresNothing()
    {
        var ib = await App.SeedIbAsync("bad@sig.test", "Bad Sig");
        await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "bad-sig@example.com" });
        var body = TagBody(ib.TagPrefix + "forged", "bad-sig@example.com");
        var altered = (byte[])body.Clone();
        altered[body.Length / 2] ^= 0x01;
        var before = await CountEventsAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, (await PostServiceAsync(body, TagAdded, NewId("bad"), signature: new string('0', 64))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostServiceAsync(body, TagAdded, NewId("bad"), signature: "not-hex")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostServiceAsync(body, TagAdded, NewId("missing"), signature: null)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostServiceAsync(body, TagAdded, NewId("wrong-secret"), signature: Sign("whsec-some-other-secret", body))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostServiceAsync(altered, TagAdded, NewId("altered"), signature: Sign(SystemeWebhookApp.Secret, body))).Status);

        Assert.Equal(before, await CountEventsAsync());
        Assert.DoesNotContain((await App.LeadsOfAsync(ib.TenantId)).Single().Tags, t => t.Slug == "forged");
    }

    [Fact]
    public async Task ServiceWebhook_ReplayedMessageId_SequentialAndConcurrent_IsStoredAndProcessedOnce()
    {
        var ib = await App.SeedIbAsync("replay@sig.test", "Replay");
        await App.PublishWorkflowAsync(ib.TenantId, "VIP welcome", new WorkflowTrigger(TriggerKind.TagAdded, "vip"), [new AddTagStep("welcomed")]);
        var leadId = await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "replay@example.com" });
        var body = TagBody(ib.TagPrefix + "vip", "replay@example.com");
        var sequentialId = NewId("replay-seq");
        var concurrentId = NewId("replay-conc");
        var before = await CountEventsAsync();
        var logBefore = fixture.Log.Events.Count;

        // The same delivery twice in a row, then another delivery twice at once.
        Assert.Equal(HttpStatusCode.Accepted, (await PostServiceAsync(body, TagAdded, sequentialId)).Status);
        Assert.Equal(HttpStatusCode.Accepted, (await PostServiceAsync(body, TagAdded, sequentialId)).Status);
        var concurrent = await Task.WhenAll(
            Enumerable.Range(0, 4).Select(_ => PostServiceAsync(body, TagAdded, concurrentId)));
        Assert.All(concurrent, r => Assert.Equal(HttpStatusCode.Accepted, r.Status));

        Assert.Equal(before + 2, await CountEventsAsync());
        Assert.Equal(1, await QueryAsync(db => db.InboundEvents.CountAsync(e => e.MessageId == sequentialId, Ct)));
        Assert.Equal(1, await QueryAsync(db => db.InboundEvents.CountAsync(e => e.MessageId == concurrentId, Ct)));
        Assert.Equal(1, (await ProcessedAsync(sequentialId)).Attempts);
        Assert.Equal(1, (await ProcessedAsync(concurrentId)).Attempts);

        await Eventually.HoldsAsync(async () => (await App.LeadsOfAsync(ib.TenantId)).Single().Tags.Any(t => t.Slug == "welcomed"), "the VIP workflow runs");
        var run = Assert.Single(await App.RunsOfAsync(ib.TenantId));
        Assert.Equal(leadId, run.LeadId);
        Assert.Single((await App.LeadsOfAsync(ib.TenantId)).Single().Tags, t => t.Slug == "vip");

        // A duplicate is an expected outcome the inbox handles, not an error in the log.
        Assert.DoesNotContain(fixture.Log.Events.Skip(logBefore), e => e.Level >= LogEventLevel.Error);
    }

    [Fact]
    public async Task NewDeliveriesAndRedeliveriesAtOnce_EachMessageIsStoredOnce_AndTheNewOnesAreNotHeldBackByTheRedeliveries()
    {
        var emails = Enumerable.Range(0, 50).Select(i => $"group-{i}@example.com").ToArray();
        var ib = await App.SeedIbAsync("group@sig.test", "Group", emails);
        var messageIds = emails.Select(e => NewId(e)).ToArray();

        // Ten deliveries stored first; then the forty others arrive together with two redeliveries of each of the ten,
        // so the inbox's shared transactions hold new events and redeliveries side by side.
        foreach (var i in Enumerable.Range(0, 10))
        {
            Assert.Equal(HttpStatusCode.Accepted, (await PostServiceAsync(TagBody(ib.TagPrefix + "grouped", emails[i]), TagAdded, messageIds[i])).Status);
        }

        var deliveries = Enumerable.Range(10, 40).Concat(Enumerable.Range(0, 10)).Concat(Enumerable.Range(0, 10)).ToArray();
        var answers = await Task.WhenAll(deliveries.Select(i => PostServiceAsync(TagBody(ib.TagPrefix + "grouped", emails[i]), TagAdded, messageIds[i])));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Accepted, a.Status));
        foreach (var messageId in messageIds)
        {
            Assert.Equal(1, await QueryAsync(db => db.InboundEvents.CountAsync(e => e.MessageId == messageId, Ct)));
            Assert.Equal((InboundStatus.Processed, 1), ((await ProcessedAsync(messageId)).Status, (await EventAsync(messageId)).Attempts));
        }

        Assert.All(await App.LeadsOfAsync(ib.TenantId), l => Assert.Single(l.Tags, t => t.Slug == "grouped"));
    }

    [Fact]
    public async Task SameTagReportedByManyDeliveriesAtOnce_IsAddedOnce_AndEachEventIsProcessedOnItsFirstAttempt()
    {
        var ib = await App.SeedIbAsync("race@sig.test", "Race");
        await App.PublishWorkflowAsync(ib.TenantId, "VIP welcome", new WorkflowTrigger(TriggerKind.TagAdded, "vip"), [new AddTagStep("welcomed")]);
        var leadId = await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "race@example.com" });
        var body = TagBody(ib.TagPrefix + "vip", "race@example.com");
        var messageIds = Enumerable.Range(0, 12).Select(i => NewId($"race-{i}")).ToArray();

        // Twelve deliveries of one change under different ids (two Systeme.io webhooks, a redelivery with a new id),
        // processed side by side: all but one lose the race on the lead's tag and its enrolment.
        var answers = await Task.WhenAll(messageIds.Select(id => PostServiceAsync(body, TagAdded, id)));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Accepted, a.Status));
        foreach (var messageId in messageIds)
        {
            var processed = await ProcessedAsync(messageId);
            Assert.Equal(InboundStatus.Processed, processed.Status);
            Assert.Equal(1, processed.Attempts);
        }

        await Eventually.HoldsAsync(async () => (await App.LeadsOfAsync(ib.TenantId)).Single().Tags.Any(t => t.Slug == "welcomed"), "the VIP workflow runs");
        Assert.Equal(leadId, Assert.Single(await App.RunsOfAsync(ib.TenantId)).LeadId);
        Assert.Single((await App.LeadsOfAsync(ib.TenantId)).Single().Tags, t => t.Slug == "vip");
    }

    [Fact]
    public async Task ServiceWebhook_BodyOver64KiB_Gets413_AndStoresNothing()
    {
        var before = await CountEventsAsync();
        var big = Encoding.UTF8.GetBytes($$$"""{"contact":{"id":1,"email":"big@example.com","pad":"{{{new string('x', InboundEvent.MaxBodyBytes)}}}"}}""");
        Assert.True(big.Length > InboundEvent.MaxBodyBytes);

        var response = await PostServiceAsync(big, "CONTACT_CREATED", NewId("too-big"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.Status);
        Assert.Equal(before, await CountEventsAsync());
    }

    [Fact]
    public async Task ServiceWebhook_MalformedJson_Gets400ProblemJson_AndIsStoredRejectedWithTheReason()
    {
        var messageId = NewId("malformed");

        var response = await PostServiceAsync(Encoding.UTF8.GetBytes("""{"contact": {"id": 1, "email": """), "CONTACT_CREATED", messageId);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("application/problem+json", response.MediaType);
        Assert.Contains("Malformed JSON", response.Body, StringComparison.Ordinal);
        var stored = await EventAsync(messageId);
        Assert.Equal(InboundStatus.Rejected, stored.Status);
        Assert.StartsWith("Malformed JSON", stored.Outcome, StringComparison.Ordinal);
        Assert.Equal(0, stored.Attempts);
    }

    [Fact]
    public async Task TagAdded_RoutesByPrefix_BothNestings_AndNeverTouchesAnotherIbsLeadWithTheSameEmail()
    {
        var john = await App.SeedIbAsync("john@tags.test", "John");
        var sarah = await App.SeedIbAsync("sarah@tags.test", "Sarah");
        await App.PublishWorkflowAsync(john.TenantId, "VIP", new WorkflowTrigger(TriggerKind.TagAdded, "vip"), [new AddTagStep("welcomed")]);
        await App.PublishWorkflowAsync(sarah.TenantId, "VIP", new WorkflowTrigger(TriggerKind.TagAdded, "vip"), [new AddTagStep("welcomed")]);
        var johnSingle = await App.CaptureAsync(john.TenantId, new LeadInput { Email = "shared-single@example.com" });
        var sarahSingle = await App.CaptureAsync(sarah.TenantId, new LeadInput { Email = "shared-single@example.com" });
        var johnDouble = await App.CaptureAsync(john.TenantId, new LeadInput { Email = "shared-double@example.com" });
        var sarahDouble = await App.CaptureAsync(sarah.TenantId, new LeadInput { Email = "shared-double@example.com" });

        // { contact: {...}, tag: {...} }
        var single = await PostProcessedAsync(TagBody(john.TagPrefix + "vip", "shared-single@example.com", contactId: 501), TagAdded);
        Assert.Equal(InboundStatus.Processed, single.Status);

        // { contact: { contact: {...} }, tag: {...} }, as the official docs show it
        var doubled = Encoding.UTF8.GetBytes($$$"""{"contact":{"contact":{"id":502,"email":"shared-double@example.com"} },"tag":{"id":8,"name":"{{{john.TagPrefix}}}vip"},"addedAt":"2025-01-01T00:00:00+00:00"}""");
        Assert.Equal(InboundStatus.Processed, (await PostProcessedAsync(doubled, TagAdded)).Status);

        await Eventually.HoldsAsync(
            async () => (await App.LeadsOfAsync(john.TenantId)).Count(l => l.Tags.Any(t => t.Slug == "welcomed")) == 2,
            "John's VIP workflow runs for both leads");
        var johns = await App.LeadsOfAsync(john.TenantId);
        Assert.Contains(johns.Single(l => l.Id == johnSingle).Tags, t => t.Slug == "vip");
        Assert.Contains(johns.Single(l => l.Id == johnDouble).Tags, t => t.Slug == "vip");
        Assert.Equal(501, johns.Single(l => l.Id == johnSingle).SystemeContactId);
        Assert.Equal(502, johns.Single(l => l.Id == johnDouble).SystemeContactId);
        var johnRuns = await App.RunsOfAsync(john.TenantId);
        Assert.Equal(new[] { johnDouble, johnSingle }.Order(), johnRuns.Select(r => r.LeadId).Order());

        var sarahs = await App.LeadsOfAsync(sarah.TenantId);
        Assert.All(sarahs, l => Assert.DoesNotContain(l.Tags, t => t.Slug is "vip" or "welcomed"));
        Assert.All(sarahs, l => Assert.Null(l.SystemeContactId));
        Assert.Equal(new[] { sarahDouble, sarahSingle }.Order(), sarahs.Select(l => l.Id).Order());
        Assert.Empty(await App.RunsOfAsync(sarah.TenantId));
    }

    [Fact]
    public async Task TagRemoved_RemovesTheTag_OnlyForThePrefixedIb()
    {
        var john = await App.SeedIbAsync("john@untag.test", "John");
        var sarah = await App.SeedIbAsync("sarah@untag.test", "Sarah");
        await App.CaptureAsync(john.TenantId, new LeadInput { Email = "untag@example.com" });
        await App.CaptureAsync(sarah.TenantId, new LeadInput { Email = "untag@example.com" });
        await PostProcessedAsync(TagBody(john.TagPrefix + "hot", "untag@example.com"), TagAdded);
        await PostProcessedAsync(TagBody(sarah.TagPrefix + "hot", "untag@example.com"), TagAdded);
        Assert.Contains((await App.LeadsOfAsync(john.TenantId)).Single().Tags, t => t.Slug == "hot");

        var removed = await PostProcessedAsync(TagBody(john.TagPrefix + "hot", "untag@example.com"), "CONTACT_TAG_REMOVED");

        Assert.Equal(InboundStatus.Processed, removed.Status);
        Assert.DoesNotContain((await App.LeadsOfAsync(john.TenantId)).Single().Tags, t => t.Slug == "hot");
        Assert.Contains((await App.LeadsOfAsync(sarah.TenantId)).Single().Tags, t => t.Slug == "hot");
    }

    [Theory]
    [InlineData("ib-zzzzzzzz-vip")]
    [InlineData("vip")]
    [InlineData("ib-zzzzzzzz-")]
    public async Task TagAdded_WithUnknownOrNoPrefix_IsIgnored_AndChangesNothing(string tag)
    {
        var ib = await App.SeedIbAsync($"noprefix-{Guid.NewGuid():N}@tags.test", "No Prefix");
        await App.PublishWorkflowAsync(ib.TenantId, "VIP", new WorkflowTrigger(TriggerKind.TagAdded, "vip"), [new AddTagStep("welcomed")]);
        var email = $"noprefix-{Guid.NewGuid():N}@example.com";
        await App.CaptureAsync(ib.TenantId, new LeadInput { Email = email });
        var tagsBefore = Slugs((await App.LeadsOfAsync(ib.TenantId)).Single());

        var ignored = await PostProcessedAsync(TagBody(tag, email, contactId: 777), TagAdded);

        Assert.Equal(InboundStatus.Ignored, ignored.Status);
        Assert.Contains("no known IB prefix", ignored.Outcome, StringComparison.Ordinal);
        var lead = (await App.LeadsOfAsync(ib.TenantId)).Single();
        Assert.Equal(tagsBefore, Slugs(lead));
        Assert.Null(lead.SystemeContactId);
        Assert.Empty(await App.RunsOfAsync(ib.TenantId));
    }

    [Theory]
    [InlineData("CONTACT_CREATED")]
    [InlineData("CONTACT_OPT_IN")]
    public async Task ContactEvents_SetTheSystemeContactId_OnEveryIbsLeadWithThatEmail(string eventType)
    {
        var john = await App.SeedIbAsync($"john-{eventType}@contacts.test", "John");
        var sarah = await App.SeedIbAsync($"sarah-{eventType}@contacts.test", "Sarah");
        var email = $"linked-{eventType.ToLowerInvariant()}@example.com";
        await App.CaptureAsync(john.TenantId, new LeadInput { Email = email });
        await App.CaptureAsync(sarah.TenantId, new LeadInput { Email = email });
        await App.CaptureAsync(sarah.TenantId, new LeadInput { Email = $"other-{eventType.ToLowerInvariant()}@example.com" });

        var processed = await PostProcessedAsync(Encoding.UTF8.GetBytes($$$"""{"contact":{"id":4242,"email":"{{{email}}}","fields":[],"sourceURL":"https://example.com/form"}}"""), eventType);

        Assert.Equal(InboundStatus.Processed, processed.Status);
        Assert.Equal(4242, (await App.LeadsOfAsync(john.TenantId)).Single().SystemeContactId);
        var sarahs = await App.LeadsOfAsync(sarah.TenantId);
        Assert.Equal(4242, sarahs.Single(l => l.Email == email).SystemeContactId);
        Assert.Null(sarahs.Single(l => l.Email != email).SystemeContactId);
    }

    [Fact]
    public async Task SaleNew_ConvertsOnlyTheOwningIbsLead_BareOrWrappedUnderSale()
    {
        var john = await App.SeedIbAsync("john@sales.test", "John");
        var sarah = await App.SeedIbAsync("sarah@sales.test", "Sarah");
        foreach (var ib in new[] { john, sarah })
        {
            await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "buyer-bare@example.com" });
            await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "buyer-wrapped@example.com" });
        }

        // Bare schema v2 event owned by John; the same shape under "sale" owned by Sarah.
        var bare = await PostProcessedAsync(SaleBody("buyer-bare@example.com", john.TenantId, wrap: false), "SALE_NEW");
        var wrapped = await PostProcessedAsync(SaleBody("buyer-wrapped@example.com", sarah.TenantId, wrap: true), "SALE_NEW");
        Assert.Equal(InboundStatus.Processed, bare.Status);
        Assert.Equal(InboundStatus.Processed, wrapped.Status);

        var johns = await App.LeadsOfAsync(john.TenantId);
        var sarahs = await App.LeadsOfAsync(sarah.TenantId);
        AssertConverted(johns.Single(l => l.Email == "buyer-bare@example.com"));
        AssertUntouched(sarahs.Single(l => l.Email == "buyer-bare@example.com"));
        AssertConverted(sarahs.Single(l => l.Email == "buyer-wrapped@example.com"));
        AssertUntouched(johns.Single(l => l.Email == "buyer-wrapped@example.com"));

        static void AssertConverted(Lead lead)
        {
            Assert.Equal(LeadStatus.Converted, lead.Status);
            Assert.Contains(lead.Tags, t => t.Slug == CaptureTags.Converted);
        }

        static void AssertUntouched(Lead lead)
        {
            Assert.NotEqual(LeadStatus.Converted, lead.Status);
            Assert.DoesNotContain(lead.Tags, t => t.Slug == CaptureTags.Converted);
        }
    }

    [Fact]
    public async Task SaleCanceled_IsProcessed_AndChangesNothing()
    {
        var ib = await App.SeedIbAsync("cancel@sales.test", "Cancel");
        await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "canceled@example.com" });
        var before = (await App.LeadsOfAsync(ib.TenantId)).Single();

        var canceled = await PostProcessedAsync(SaleBody("canceled@example.com", ib.TenantId, wrap: false), "SALE_CANCELED");

        Assert.Equal(InboundStatus.Processed, canceled.Status);
        var after = (await App.LeadsOfAsync(ib.TenantId)).Single();
        Assert.Equal(before.Status, after.Status);
        Assert.NotEqual(LeadStatus.Converted, after.Status);
        Assert.Equal(Slugs(before), Slugs(after));
    }

    [Fact]
    public async Task WorkflowWebhook_UnknownToken_Gets401_MissingOrUnknownEvent_Gets400_AndStoresNothing()
    {
        var ib = await App.SeedIbAsync("token@workflow.test", "Token");
        var token = await App.IssueWebhookTokenAsync(ib.TenantId);
        var body = EnvelopeBody("token-lead@example.com", wrapInArray: false);
        var before = await CountEventsAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, (await PostWorkflowAsync($"/webhooks/systeme/t/{new string('a', 40)}?event=opened", body)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostWorkflowAsync($"/webhooks/systeme/t/{token}x?event=opened", body)).Status);
        var missing = await PostWorkflowAsync($"/webhooks/systeme/t/{token}", body);
        Assert.Equal(HttpStatusCode.BadRequest, missing.Status);
        Assert.Equal("application/problem+json", missing.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostWorkflowAsync($"/webhooks/systeme/t/{token}?event=bounced", body)).Status);

        Assert.Equal(before, await CountEventsAsync());
    }

    [Fact]
    public async Task WorkflowWebhook_OpenedAndClicked_LandOnTheIbsWelcomeEmail_AndAnotherIbsTokenNeverTouchesIt()
    {
        var john = await App.SeedIbAsync("john@workflow.test", "John");
        var sarah = await App.SeedIbAsync("sarah@workflow.test", "Sarah");
        var welcome = await App.CreateTemplateAsync(john.TenantId, "Welcome", "Welcome {{ first_name }}", "<p>Hi there</p>");
        await App.PublishWorkflowAsync(john.TenantId, "Welcome on capture", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new SendEmailStep(welcome.Id)]);
        var leadId = await App.CaptureAsync(john.TenantId, new LeadInput { Email = "engaged@example.com", Name = "Erin Engaged" });
        await App.CaptureAsync(sarah.TenantId, new LeadInput { Email = "engaged@example.com" });
        await Eventually.HoldsAsync(async () => (await App.MessagesOfAsync(john.TenantId)).Any(m => m.Status == EmailStatus.Sent), "the welcome is sent");
        var johnToken = await App.IssueWebhookTokenAsync(john.TenantId);
        var sarahToken = await App.IssueWebhookTokenAsync(sarah.TenantId);
        var sent = Assert.Single(await App.MessagesOfAsync(john.TenantId));
        Assert.Equal(welcome.Id, sent.TemplateId);
        Assert.Null(sent.OpenedAt);
        Assert.NotEqual(LeadStatus.Engaged, (await App.LeadsOfAsync(john.TenantId)).Single().Status);

        // Sarah's URL, naming the same email and template: Sarah's own lead has no such send, John's is untouched.
        var foreign = await PostWorkflowAsync($"/webhooks/systeme/t/{sarahToken}?event=opened&template=Welcome", EnvelopeBody("engaged@example.com", wrapInArray: false));
        Assert.Equal(HttpStatusCode.Accepted, foreign.Status);
        var foreignEvent = await ProcessedWorkflowEventAsync(sarah.TenantId);
        Assert.Equal(InboundStatus.Ignored, foreignEvent.Status);
        Assert.Null(Assert.Single(await App.MessagesOfAsync(john.TenantId)).OpenedAt);
        Assert.NotEqual(LeadStatus.Engaged, (await App.LeadsOfAsync(john.TenantId)).Single().Status);
        Assert.NotEqual(LeadStatus.Engaged, (await App.LeadsOfAsync(sarah.TenantId)).Single().Status);

        var opened = await PostWorkflowAsync($"/webhooks/systeme/t/{johnToken}?event=opened&template=Welcome", EnvelopeBody("engaged@example.com", wrapInArray: false));
        Assert.Equal(HttpStatusCode.Accepted, opened.Status);
        var openedEvent = await ProcessedWorkflowEventAsync(john.TenantId, "opened");
        Assert.Equal(InboundStatus.Processed, openedEvent.Status);
        Assert.Equal("Welcome", openedEvent.Template);
        var afterOpen = Assert.Single(await App.MessagesOfAsync(john.TenantId));
        Assert.NotNull(afterOpen.OpenedAt);
        Assert.Null(afterOpen.ClickedAt);
        var lead = (await App.LeadsOfAsync(john.TenantId)).Single();
        Assert.Equal(leadId, lead.Id);
        Assert.Equal(LeadStatus.Engaged, lead.Status);

        // The envelope wrapped in a one-element array, as some receivers saw it.
        var clicked = await PostWorkflowAsync($"/webhooks/systeme/t/{johnToken}?event=clicked&template=Welcome", EnvelopeBody("engaged@example.com", wrapInArray: true));
        Assert.Equal(HttpStatusCode.Accepted, clicked.Status);
        Assert.Equal(InboundStatus.Processed, (await ProcessedWorkflowEventAsync(john.TenantId, "clicked")).Status);
        Assert.NotNull(Assert.Single(await App.MessagesOfAsync(john.TenantId)).ClickedAt);

        Assert.Empty(await App.MessagesOfAsync(sarah.TenantId));
        Assert.NotEqual(LeadStatus.Engaged, (await App.LeadsOfAsync(sarah.TenantId)).Single().Status);
    }

    [Fact]
    public async Task Burst_OfTwoThousandSignedEvents_IsStoredAndProcessedExactlyOnce()
    {
        const int count = 2000;
        var emails = Enumerable.Range(0, count).Select(i => $"burst-{i}@example.com").ToArray();
        var ib = await App.SeedIbAsync("burst@burst.test", "Burst", emails);
        await App.PublishWorkflowAsync(ib.TenantId, "Burst welcome", new WorkflowTrigger(TriggerKind.TagAdded, "burst"), [new AddTagStep("welcomed")]);
        var runId = Guid.NewGuid().ToString("N")[..8];
        using var gate = new SemaphoreSlim(50);
        var started = TimeProvider.System.GetTimestamp();

        var answers = await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync(Ct);
            try
            {
                return (await PostServiceAsync(TagBody(ib.TagPrefix + "burst", emails[i], contactId: 10_000 + i), TagAdded, $"burst-{runId}-{i}")).Status;
            }
            finally
            {
                gate.Release();
            }
        }));
        var posted = TimeProvider.System.GetElapsedTime(started);

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Accepted, a));
        var prefix = $"burst-{runId}-";
        Assert.Equal(count, await QueryAsync(db => db.InboundEvents.CountAsync(e => e.MessageId.StartsWith(prefix), Ct)));
        await Eventually.HoldsAsync(
            async () => await QueryAsync(db => db.InboundEvents.CountAsync(e => e.MessageId.StartsWith(prefix) && e.Status != InboundStatus.Pending && e.Status != InboundStatus.Processing, Ct)) == count,
            "every burst event is processed",
            TimeSpan.FromSeconds(90));
        var processed = TimeProvider.System.GetElapsedTime(started);

        var events = await QueryAsync(db => db.InboundEvents.AsNoTracking().Where(e => e.MessageId.StartsWith(prefix)).Select(e => new { e.Status, e.Attempts, e.Outcome }).ToListAsync(Ct));
        Assert.Equal(count, events.Count);
        Assert.All(events, e => Assert.True(e.Status == InboundStatus.Processed, $"{e.Status}: {e.Outcome}"));
        Assert.All(events, e => Assert.Equal(1, e.Attempts));

        await Eventually.HoldsAsync(
            async () => (await App.LeadsOfAsync(ib.TenantId)).Count(l => l.Tags.Any(t => t.Slug == "welcomed")) == count,
            "the burst workflow runs for every lead",
            TimeSpan.FromSeconds(90));
        var leads = await App.LeadsOfAsync(ib.TenantId);
        Assert.All(leads, l => Assert.Single(l.Tags, t => t.Slug == "burst"));
        Assert.Equal(Enumerable.Range(0, count).Select(i => 10_000L + i), leads.Select(l => l.SystemeContactId!.Value).Order());
        var runs = await App.RunsOfAsync(ib.TenantId);
        Assert.Equal(count, runs.Count);
        Assert.Equal(count, runs.Select(r => r.LeadId).Distinct().Count());

        TestContext.Current.SendDiagnosticMessage(
            $"Burst: {count} events posted in {posted.TotalSeconds:0.0} s, all processed after {processed.TotalSeconds:0.0} s, workflows done after {TimeProvider.System.GetElapsedTime(started).TotalSeconds:0.0} s");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"Burst: {count} events posted in {posted.TotalSeconds:0.0} s, all processed after {processed.TotalSeconds:0.0} s, workflows done after {TimeProvider.System.GetElapsedTime(started).TotalSeconds:0.0} s");
    }

    private static string NewId(string what) => $"{what}-{Guid.NewGuid():N}";

    private static List<string> Slugs(Lead lead) => lead.Tags.Select(t => t.Slug).Order(StringComparer.Ordinal).ToList();

    private static byte[] TagBody(string tagName, string email, long contactId = 31) =>
        Encoding.UTF8.GetBytes($$$"""{"contact":{"id":{{{contactId}}},"email":"{{{email}}}","fields":[]},"tag":{"id":9,"name":"{{{tagName}}}"}}""");

    private static byte[] SaleBody(string email, Guid ownerTenantId, bool wrap)
    {
        var sale = $$$"""
            {"customer":{"id":91,"clientIp":"203.0.113.9","contactId":4343,"email":"{{{email}}}","fields":{"ib_owner_id":"{{{ownerTenantId}}}","first_name":"Bea"},"paymentProcessor":"stripe","sourceUrl":"https://example.com/checkout"},
             "coupon":null,
             "funnelStep":{"id":3,"name":"Checkout","type":"order_form","funnel":{"id":2,"name":"Main"}},
             "order":{"id":7,"createdAt":"2025-01-01T00:00:00+00:00","discountAmount":0,"discountType":null,"shippingFee":0,"totalPrice":1234,"vat":0},
             "orderItem":{"id":8,"createdAt":"2025-01-01T00:00:00+00:00","resources":[]},
             "pricePlan":{"id":5,"name":"Course","type":"one_shot","amount":1234,"currency":"eur","innerName":"course","recurringOptions":null,"statementDescriptor":"COURSE"}}
            """;
        return Encoding.UTF8.GetBytes(wrap ? "{\"sale\":" + sale + "}" : sale);
    }

    private static byte[] EnvelopeBody(string email, bool wrapInArray)
    {
        var envelope = $$$"""{"type":"contact.email.link.clicked","data":{"contact":{"id":1,"email":"{{{email}}}","fields":{"first_name":"Erin"} } },"account":{"id":1},"created_at":"2025-01-01T00:00:00+00:00"}""";
        return Encoding.UTF8.GetBytes(wrapInArray ? $"[{envelope}]" : envelope);
    }

    /// <summary>Lowercase hex HMAC-SHA256 of the raw body, computed here, independently of the app.</summary>
    private static string Sign(string secret, byte[] body)
    {
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
        return Convert.ToHexString(hmac.ComputeHash(body)).ToLowerInvariant();
    }

    private sealed record Answer(HttpStatusCode Status, string? MediaType, string Body);

    /// <param name="signature">Empty: a good signature of <paramref name="body"/>; null: no header.</param>
    private async Task<Answer> PostServiceAsync(byte[] body, string eventType, string messageId, string? signature = "")
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/systeme") { Content = content };
        if (signature is not null)
        {
            request.Headers.Add("X-Webhook-Signature", signature.Length == 0 ? Sign(SystemeWebhookApp.Secret, body) : signature);
        }

        request.Headers.Add("X-Webhook-Event", eventType);
        request.Headers.Add("X-Webhook-Message-Id", messageId);
        return await SendAsync(request);
    }

    private async Task<Answer> PostWorkflowAsync(string url, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        return await SendAsync(request);
    }

    private async Task<Answer> SendAsync(HttpRequestMessage request)
    {
        using var client = App.CreateClient();
        using var response = await client.SendAsync(request, Ct);
        return new Answer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(Ct));
    }

    private async Task<InboundEvent> PostProcessedAsync(byte[] body, string eventType)
    {
        var messageId = NewId(eventType.ToLowerInvariant());
        Assert.Equal(HttpStatusCode.Accepted, (await PostServiceAsync(body, eventType, messageId)).Status);
        return await ProcessedAsync(messageId);
    }

    private async Task<InboundEvent> ProcessedAsync(string messageId)
    {
        await Eventually.HoldsAsync(
            async () => (await EventAsync(messageId)).Status is not (InboundStatus.Pending or InboundStatus.Processing),
            $"event {messageId} is processed");
        return await EventAsync(messageId);
    }

    private async Task<InboundEvent> ProcessedWorkflowEventAsync(Guid tenantId, string? eventType = null)
    {
        async Task<InboundEvent?> Latest() => (await QueryAsync(db => db.InboundEvents.AsNoTracking()
            .Where(e => e.Source == InboundSource.SystemeWorkflow && e.TenantId == tenantId && (eventType == null || e.EventType == eventType))
            .ToListAsync(Ct))).MaxBy(e => e.ReceivedAt);
        await Eventually.HoldsAsync(
            async () => await Latest() is { Status: not (InboundStatus.Pending or InboundStatus.Processing) },
            $"the workflow webhook for tenant {tenantId} is processed");
        return (await Latest())!;
    }

    private Task<int> CountEventsAsync() => QueryAsync(db => db.InboundEvents.CountAsync(Ct));

    private Task<InboundEvent> EventAsync(string messageId) =>
        QueryAsync(db => db.InboundEvents.AsNoTracking().SingleAsync(e => e.MessageId == messageId, Ct));

    /// <summary>InboundEvent is not tenant-owned: a plain scope reads it.</summary>
    private async Task<T> QueryAsync<T>(Func<ClientFlowDbContext, Task<T>> query)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>());
    }
}
