using System.Net;
using System.Security.Cryptography;
using System.Text;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Webhooks;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Webhooks;

public sealed class WebhookServiceApp : SqliteApp
{
    public const string Secret = "whsec-service-secret";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Systeme:WebhookSecret"] = Secret };
}

/// <summary>
/// <c>POST /webhooks/systeme</c>: only correctly signed deliveries are stored, each message id once, and every
/// stored event is processed exactly once, routed to the tenant whose prefix its tag carries.
/// </summary>
public sealed class SystemeWebhookServiceTests(WebhookServiceApp fixture) : IClassFixture<WebhookServiceApp>
{
    private ClientFlowAppFactory App => fixture.App;

    [Fact]
    public async Task OnlyAGoodSignature_IsStored_AndAReplayedMessageIsProcessedOnce()
    {
        var ib = await App.SeedIbAsync("signed@hooks.test", "Signed IB");
        await App.PublishWorkflowAsync(ib.TenantId, "VIP", new WorkflowTrigger(TriggerKind.TagAdded, "vip"), [new AddTagStep("vip-welcomed")]);
        await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "signed@example.com" });
        var body = Encoding.UTF8.GetBytes($$$"""{"contact":{"id":31,"email":"signed@example.com"},"tag":{"id":9,"name":"{{{ib.TagPrefix}}}vip"}}""");
        var before = await CountAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(body, "CONTACT_TAG_ADDED", "bad-1", signature: new string('0', 64)));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(body, "CONTACT_TAG_ADDED", "bad-2", signature: null));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(body, "CONTACT_TAG_ADDED", "bad-3", signature: Sign("another-secret", body)));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(body, "CONTACT_TAG_ADDED", "bad-4", signature: Sign(WebhookServiceApp.Secret, body).ToUpperInvariant()));
        var altered = (byte[])body.Clone();
        altered[^3] ^= 0x01;
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(altered, "CONTACT_TAG_ADDED", "bad-5", signature: Sign(WebhookServiceApp.Secret, body)));
        Assert.Equal(before, await CountAsync());

        // The same delivery three times, two of them at once: stored once, processed once.
        Assert.Equal(HttpStatusCode.Accepted, await PostAsync(body, "CONTACT_TAG_ADDED", "good-1"));
        var replays = await Task.WhenAll(PostAsync(body, "CONTACT_TAG_ADDED", "good-1"), PostAsync(body, "CONTACT_TAG_ADDED", "good-1"));
        Assert.All(replays, r => Assert.Equal(HttpStatusCode.Accepted, r));
        Assert.Equal(before + 1, await CountAsync());

        await Eventually.HoldsAsync(async () => (await App.LeadsOfAsync(ib.TenantId)).Single().Tags.Any(t => t.Slug == "vip-welcomed"), "the tag-added workflow runs");
        var stored = await EventAsync("good-1");
        Assert.Equal(InboundStatus.Processed, stored.Status);
        Assert.Equal(1, stored.Attempts);
        Assert.Single(await App.RunsOfAsync(ib.TenantId));
    }

    [Fact]
    public async Task OversizedOrMalformedBodies_Get413Or400_AndMalformedIsKeptAsRejected()
    {
        var big = Encoding.UTF8.GetBytes("{\"pad\":\"" + new string('x', InboundEvent.MaxBodyBytes) + "\"}");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await PostAsync(big, "CONTACT_CREATED", "too-big"));
        Assert.False(await App.AsTenantAsync(Guid.NewGuid(), db => db.InboundEvents.AnyAsync(e => e.MessageId == "too-big", TestContext.Current.CancellationToken)));

        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(Encoding.UTF8.GetBytes("{\"contact\": "), "CONTACT_CREATED", "malformed"));
        var rejected = await EventAsync("malformed");
        Assert.Equal(InboundStatus.Rejected, rejected.Status);
        Assert.StartsWith("Malformed JSON", rejected.Outcome, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TagEvents_RouteByPrefix_NeverTouchingAnotherIbsLeadWithTheSameEmail()
    {
        var john = await App.SeedIbAsync("john@hooks.test", "John");
        var sarah = await App.SeedIbAsync("sarah@hooks.test", "Sarah");
        await App.CaptureAsync(john.TenantId, new LeadInput { Email = "same@example.com" });
        await App.CaptureAsync(sarah.TenantId, new LeadInput { Email = "same@example.com" });

        // Single and double contact nesting, as the two sources of the documentation show.
        await PostProcessedAsync($$$"""{"contact":{"id":5,"email":"same@example.com"},"tag":{"id":1,"name":"{{{john.TagPrefix}}}hot"}}""", "CONTACT_TAG_ADDED", "route-1");
        await PostProcessedAsync($$$"""{"contact":{"contact":{"id":5,"email":"same@example.com"}},"tag":{"id":2,"name":"{{{john.TagPrefix}}}warm"}}""", "CONTACT_TAG_ADDED", "route-2");
        var johns = (await App.LeadsOfAsync(john.TenantId)).Single();
        Assert.Contains(johns.Tags, t => t.Slug == "hot");
        Assert.Contains(johns.Tags, t => t.Slug == "warm");
        Assert.Equal(5, johns.SystemeContactId);
        var sarahs = (await App.LeadsOfAsync(sarah.TenantId)).Single();
        Assert.DoesNotContain(sarahs.Tags, t => t.Slug is "hot" or "warm");
        Assert.Null(sarahs.SystemeContactId);

        await PostProcessedAsync($$$"""{"contact":{"id":5,"email":"same@example.com"},"tag":{"id":1,"name":"{{{john.TagPrefix}}}hot"}}""", "CONTACT_TAG_REMOVED", "route-3");
        Assert.DoesNotContain((await App.LeadsOfAsync(john.TenantId)).Single().Tags, t => t.Slug == "hot");

        var unknown = await PostProcessedAsync("""{"contact":{"id":5,"email":"same@example.com"},"tag":{"id":3,"name":"ib-zzzzzzzz-hot"}}""", "CONTACT_TAG_ADDED", "route-4");
        Assert.Equal(InboundStatus.Ignored, unknown.Status);
        var bare = await PostProcessedAsync("""{"contact":{"id":5,"email":"same@example.com"},"tag":{"id":4,"name":"hot"}}""", "CONTACT_TAG_ADDED", "route-5");
        Assert.Equal(InboundStatus.Ignored, bare.Status);
    }

    [Fact]
    public async Task ContactAndSaleEvents_LinkContacts_AndConvertTheOwningIbsLead()
    {
        var owner = await App.SeedIbAsync("owner@hooks.test", "Owner");
        var other = await App.SeedIbAsync("other@hooks.test", "Other");
        await App.CaptureAsync(owner.TenantId, new LeadInput { Email = "buyer@example.com" });
        await App.CaptureAsync(other.TenantId, new LeadInput { Email = "buyer@example.com" });

        await PostProcessedAsync("""{"contact":{"id":4242,"email":"buyer@example.com","fields":[]}}""", "CONTACT_OPT_IN", "contact-1");
        Assert.Equal(4242, (await App.LeadsOfAsync(owner.TenantId)).Single().SystemeContactId);
        Assert.Equal(4242, (await App.LeadsOfAsync(other.TenantId)).Single().SystemeContactId);

        await PostProcessedAsync($$$$"""{"sale":{"customer":{"id":1,"contactId":4242,"email":"buyer@example.com","fields":{"ib_owner_id":"{{{{owner.TenantId}}}}"}},"order":{"id":7,"totalPrice":1234}}}""", "SALE_NEW", "sale-1");
        var converted = (await App.LeadsOfAsync(owner.TenantId)).Single();
        Assert.Equal(LeadStatus.Converted, converted.Status);
        Assert.Contains(converted.Tags, t => t.Slug == CaptureTags.Converted);
        Assert.NotEqual(LeadStatus.Converted, (await App.LeadsOfAsync(other.TenantId)).Single().Status);

        var canceled = await PostProcessedAsync("""{"customer":{"email":"buyer@example.com"}}""", "SALE_CANCELED", "sale-2");
        Assert.Equal(InboundStatus.Processed, canceled.Status);
    }

    [Fact]
    public async Task Burst_OfTwoThousandEvents_IsStoredAndProcessedExactlyOnce()
    {
        var ib = await App.SeedIbAsync("burst@hooks.test", "Burst IB");
        await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "burst@example.com" });
        const int count = 2000;
        using var gate = new SemaphoreSlim(50);
        var started = TimeProvider.System.GetTimestamp();

        var answers = await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync(TestContext.Current.CancellationToken);
            try
            {
                var body = Encoding.UTF8.GetBytes($$$"""{"contact":{"id":77,"email":"burst@example.com"},"tag":{"id":{{{i}}},"name":"{{{ib.TagPrefix}}}b{{{i}}}"}}""");
                return await PostAsync(body, "CONTACT_TAG_ADDED", $"burst-{i}");
            }
            finally
            {
                gate.Release();
            }
        }));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Accepted, a));
        await Eventually.HoldsAsync(
            async () => await QueryAsync(db => db.InboundEvents.CountAsync(e => e.MessageId.StartsWith("burst-") && e.Status == InboundStatus.Processed, TestContext.Current.CancellationToken)) == count,
            "every burst event is processed",
            TimeSpan.FromSeconds(120));
        var attempts = await QueryAsync(db => db.InboundEvents.Where(e => e.MessageId.StartsWith("burst-")).Select(e => e.Attempts).ToListAsync(TestContext.Current.CancellationToken));
        Assert.Equal(count, attempts.Count);
        Assert.All(attempts, a => Assert.Equal(1, a));
        var tags = (await App.LeadsOfAsync(ib.TenantId)).Single().Tags.Where(t => t.Slug.StartsWith('b')).Select(t => t.Slug).ToList();
        Assert.Equal(count, tags.Count);
        Assert.Equal(count, tags.Distinct().Count());
        TestContext.Current.SendDiagnosticMessage($"Burst: {count} events stored and processed in {TimeProvider.System.GetElapsedTime(started).TotalSeconds:0.0} s");
    }

    private async Task<InboundEvent> PostProcessedAsync(string json, string eventType, string messageId)
    {
        Assert.Equal(HttpStatusCode.Accepted, await PostAsync(Encoding.UTF8.GetBytes(json), eventType, messageId));
        await Eventually.HoldsAsync(async () => (await EventAsync(messageId)).Status is not (InboundStatus.Pending or InboundStatus.Processing), $"event {messageId} is processed");
        return await EventAsync(messageId);
    }

    private async Task<HttpStatusCode> PostAsync(byte[] body, string eventType, string messageId, string? signature = "")
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/systeme") { Content = content };
        if (signature is not null)
        {
            request.Headers.Add("X-Webhook-Signature", signature.Length == 0 ? Sign(WebhookServiceApp.Secret, body) : signature);
        }

        request.Headers.Add("X-Webhook-Event", eventType);
        request.Headers.Add("X-Webhook-Message-Id", messageId);
        using var response = await App.CreateClient().SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    private static string Sign(string secret, byte[] body) => Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    private Task<int> CountAsync() => QueryAsync(db => db.InboundEvents.CountAsync(TestContext.Current.CancellationToken));

    private Task<InboundEvent> EventAsync(string messageId) =>
        QueryAsync(db => db.InboundEvents.AsNoTracking().SingleAsync(e => e.MessageId == messageId, TestContext.Current.CancellationToken));

    private async Task<T> QueryAsync<T>(Func<ClientFlowDbContext, Task<T>> query)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>());
    }
}
