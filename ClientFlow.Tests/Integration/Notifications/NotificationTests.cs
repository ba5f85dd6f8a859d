using System.Text;
using System.Text.Json;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Notifications;
using ClientFlow.Automation.Outbox;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Tests.Integration.Notifications;

/// <summary>The app with an SMS provider configured and loopback webhooks allowed (as in Development), plus a receiver for both.</summary>
public sealed class NotifyingApp : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();

    public HookReceiver Receiver { get; private set; } = null!;

    public ClientFlowAppFactory App { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Receiver = await HookReceiver.StartAsync();
        App = new ClientFlowAppFactory(_database, settings: new Dictionary<string, string?>
        {
            ["Notifications:AllowPrivateTargets"] = "true",
            ["Notifications:SmsBaseUrl"] = Receiver.BaseUrl + "/2010-04-01",
            ["Notifications:SmsAccountSid"] = "AC123",
            ["Notifications:SmsAuthToken"] = "sms-token",
            ["Notifications:SmsFrom"] = "+15005550006",
        });
        await App.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Receiver.DisposeAsync();
        await _database.DisposeAsync();
    }
}

/// <summary>Notify steps: a webhook signed with the IB's secret and a timestamp, and an SMS through a Twilio-compatible API.</summary>
public sealed class NotificationTests(NotifyingApp fixture) : IClassFixture<NotifyingApp>
{
    private ClientFlowAppFactory App => fixture.App;

    [Fact]
    public async Task WebhookNotification_IsSignedWithTheIbsSecretAndTimestamp()
    {
        var ib = await App.SeedIbAsync("hook@notify.test", "Hook IB");
        await App.PublishWorkflowAsync(ib.TenantId, "Hot lead hook", new WorkflowTrigger(TriggerKind.LeadCaptured, null),
            [new NotifyStep(NotifyChannel.Webhook, fixture.Receiver.BaseUrl + "/hooks/clientflow", "Hot lead {{ email }}")]);
        var leadId = await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "hot@example.com", Name = "Hot Lead" });

        await Eventually.HoldsAsync(() => Task.FromResult(fixture.Receiver.Received.Any(r => r.PathAndQuery == "/hooks/clientflow")), "the webhook arrives");
        var hook = fixture.Receiver.Received.Single(r => r.PathAndQuery == "/hooks/clientflow");
        var secret = await App.AsTenantAsync(ib.TenantId, db => db.Tenants.Where(t => t.Id == ib.TenantId).Select(t => t.NotificationSecret!).SingleAsync(TestContext.Current.CancellationToken));

        var timestamp = hook.Headers[NotificationSender.TimestampHeader];
        var expected = "sha256=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{hook.Body}")));
        Assert.Equal(expected, hook.Headers[NotificationSender.SignatureHeader]);
        Assert.InRange(long.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture), TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() - 60, TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() + 5);

        using var body = JsonDocument.Parse(hook.Body);
        Assert.Equal("Hot lead hot@example.com", body.RootElement.GetProperty("message").GetString());
        Assert.Equal("hot@example.com", body.RootElement.GetProperty("lead").GetProperty("email").GetString());
        Assert.Equal(leadId, body.RootElement.GetProperty("lead").GetProperty("id").GetGuid());
        Assert.Equal("Hot lead hook", body.RootElement.GetProperty("workflow").GetProperty("name").GetString());

        // A body changed on the way no longer matches the signature.
        var tampered = hook.Body.Replace("hot@example.com", "cold@example.com", StringComparison.Ordinal);
        Assert.NotEqual(expected, "sha256=" + NotificationSender.Sign(secret, timestamp, tampered));
    }

    [Fact]
    public async Task SmsNotification_PostsToTheTwilioCompatibleApi_WithBasicAuth()
    {
        var ib = await App.SeedIbAsync("sms@notify.test", "Sms IB");
        await App.ConfirmPhoneAsync(ib.Email, "+447700900123");
        await App.PublishWorkflowAsync(ib.TenantId, "SMS me", new WorkflowTrigger(TriggerKind.LeadCaptured, null),
            [new NotifyStep(NotifyChannel.Sms, "+447700900123", "New lead {{ email }}")]);
        await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "texted@example.com" });

        await Eventually.HoldsAsync(() => Task.FromResult(fixture.Receiver.Received.Any(r => r.PathAndQuery.EndsWith("/Messages.json", StringComparison.Ordinal))), "the SMS request arrives");
        var sms = fixture.Receiver.Received.Single(r => r.PathAndQuery.EndsWith("/Messages.json", StringComparison.Ordinal));
        Assert.Equal("POST", sms.Method);
        Assert.Equal("/2010-04-01/Accounts/AC123/Messages.json", sms.PathAndQuery);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("AC123:sms-token")), sms.Headers["Authorization"]);
        var form = System.Web.HttpUtility.ParseQueryString(sms.Body);
        Assert.Equal("+447700900123", form["To"]);
        Assert.Equal("+15005550006", form["From"]);
        Assert.Equal("New lead texted@example.com", form["Body"]);
    }

    [Fact]
    public async Task RefusedWebhook_IsMarkedFailedWithTheReason_NotRetriedForever()
    {
        var ib = await App.SeedIbAsync("refused@notify.test", "Refused IB");
        fixture.Receiver.Status = 410;
        try
        {
            await App.PublishWorkflowAsync(ib.TenantId, "Gone hook", new WorkflowTrigger(TriggerKind.LeadCaptured, null),
                [new NotifyStep(NotifyChannel.Webhook, fixture.Receiver.BaseUrl + "/gone", "x")]);
            await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "gone@example.com" });
            await Eventually.HoldsAsync(
                async () => await App.AsTenantAsync(ib.TenantId, db => db.OutboundOperations.AnyAsync(o => o.Kind == OutboundKind.NotifyWebhook && o.Status == OutboundStatus.Failed, TestContext.Current.CancellationToken)),
                "the webhook row fails");
            var row = await App.AsTenantAsync(ib.TenantId, db => db.OutboundOperations.SingleAsync(o => o.Kind == OutboundKind.NotifyWebhook, TestContext.Current.CancellationToken));
            Assert.Contains("410", row.LastError, StringComparison.Ordinal);
        }
        finally
        {
            fixture.Receiver.Status = 200;
        }
    }
}
