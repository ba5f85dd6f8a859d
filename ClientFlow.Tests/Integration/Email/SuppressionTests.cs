using System.Net;
using System.Text;
using System.Text.Json;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Webhooks;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using ClientFlow.Tests.Infrastructure.Smtp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Email;

/// <summary>The app on the SMTP channel with the provider's event secret set.</summary>
public sealed class SuppressionApp : SmtpAppFixture
{
    public const string EventsSecret = "email-events-secret";

    protected override void Configure(Dictionary<string, string?> settings) => settings["Email:EventsSecret"] = EventsSecret;
}

/// <summary>
/// The platform-wide suppression list: a mailbox the SMTP server refuses for good, a hard bounce or complaint the
/// provider reports, and a reader's "stop all email from this service" end every IB's mail to the address.
/// </summary>
public sealed class SuppressionTests(SuppressionApp fixture) : IClassFixture<SuppressionApp>
{
    private ClientFlowAppFactory App => fixture.App;

    [Fact]
    public async Task AMailboxRefusedAtSendTime_GetsNoMailFromAnyIb()
    {
        fixture.Smtp.AddDeadMailbox("dead@example.com");
        var first = await IbWithWelcomeAsync("bounce-first");
        var second = await IbWithWelcomeAsync("bounce-second");

        await App.CaptureAsync(first.TenantId, new LeadInput { Email = "dead@example.com" });
        var failed = await SettledMessageAsync(first, EmailStatus.Failed);
        Assert.StartsWith("SMTP 550", failed.LastError, StringComparison.Ordinal);

        await App.CaptureAsync(second.TenantId, new LeadInput { Email = "dead@example.com" });
        var suppressed = await SettledMessageAsync(second, EmailStatus.Suppressed);
        Assert.Contains("bounced", suppressed.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Smtp.Messages, m => m.Recipients.Contains("dead@example.com"));
    }

    [Fact]
    public async Task TheProvidersSignedEvents_SuppressHardBouncesAndComplaints_NotSoftBounces()
    {
        var events = """
            [{"type":"bounce","email":"hard@example.com","bounce_type":"hard"},
             {"type":"bounce","email":"soft@example.com","bounce_type":"soft"},
             {"type":"complaint","email":"Complainer@Example.com"},
             {"type":"bounce","email":"untyped@example.com"},
             {"type":"delivered","email":"fine@example.com"},
             {"type":"bounce","email":"not an address"}]
            """;

        using (var forged = await PostEventsAsync(events, "wrong-secret"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        }

        Assert.Null(await SuppressionOfAsync("hard@example.com"));
        using (var accepted = await PostEventsAsync(events, SuppressionApp.EventsSecret))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            using var outcome = JsonDocument.Parse(await accepted.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.Equal((3, 3), (outcome.RootElement.GetProperty("suppressed").GetInt32(), outcome.RootElement.GetProperty("ignored").GetInt32()));
        }

        using (var malformed = await PostEventsAsync("{\"type\":", SuppressionApp.EventsSecret))
        {
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        }

        Assert.Equal(SuppressionReason.HardBounce, (await SuppressionOfAsync("hard@example.com"))?.Reason);
        Assert.Equal(SuppressionReason.Complaint, (await SuppressionOfAsync("complainer@example.com"))?.Reason);
        Assert.Equal(SuppressionReason.HardBounce, (await SuppressionOfAsync("untyped@example.com"))?.Reason);
        Assert.Null(await SuppressionOfAsync("soft@example.com"));

        // An IB's workflow then mails the soft bounce and nobody else.
        var ib = await IbWithWelcomeAsync("events");
        foreach (var address in new[] { "hard@example.com", "soft@example.com", "complainer@example.com" })
        {
            await App.CaptureAsync(ib.TenantId, new LeadInput { Email = address });
        }

        await Eventually.HoldsAsync(
            async () => (await App.MessagesOfAsync(ib.TenantId)).Count(m => m.Status is EmailStatus.Sent or EmailStatus.Suppressed) == 3,
            "the three welcomes settle");
        var statuses = (await App.MessagesOfAsync(ib.TenantId)).ToDictionary(m => m.To, m => m.Status);
        Assert.Equal(EmailStatus.Sent, statuses["soft@example.com"]);
        Assert.Equal(EmailStatus.Suppressed, statuses["hard@example.com"]);
        Assert.Equal(EmailStatus.Suppressed, statuses["complainer@example.com"]);
    }

    [Fact]
    public async Task StopAllOnTheUnsubscribePage_EndsEveryIbsMail()
    {
        var first = await IbWithWelcomeAsync("stop-first");
        var second = await IbWithWelcomeAsync("stop-second");
        await App.CaptureAsync(first.TenantId, new LeadInput { Email = "reader@example.com" });
        var delivered = await SettledMessageAsync(first, EmailStatus.Sent);

        using var client = App.CreatePageClient();
        using (var stopped = await client.SubmitFormAsync($"/u/{delivered.Token}", new Dictionary<string, string>(), "form[action*='handler=StopAll']"))
        {
            Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
            Assert.NotNull((await PageClient.ParseAsync(stopped)).QuerySelector("[data-testid=stopped-all]"));
        }

        Assert.Equal(LeadStatus.Unsubscribed, (await App.LeadsOfAsync(first.TenantId)).Single().Status);
        await App.CaptureAsync(second.TenantId, new LeadInput { Email = "reader@example.com" });
        var suppressed = await SettledMessageAsync(second, EmailStatus.Suppressed);
        Assert.Contains("stop all email", suppressed.LastError, StringComparison.Ordinal);
        Assert.Single(fixture.Smtp.Messages, m => m.Recipients.Contains("reader@example.com"));
    }

    private async Task<SeededIb> IbWithWelcomeAsync(string name)
    {
        var ib = await App.SeedIbAsync($"{name}@suppression.test", name);
        var welcome = await App.CreateTemplateAsync(ib.TenantId, "Welcome", "Welcome", "<p>Hi</p>");
        await App.PublishWorkflowAsync(ib.TenantId, "Welcome", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new SendEmailStep(welcome.Id)]);
        return ib;
    }

    private async Task<EmailMessage> SettledMessageAsync(SeededIb ib, EmailStatus status)
    {
        EmailMessage? message = null;
        await Eventually.HoldsAsync(
            async () => (message = (await App.MessagesOfAsync(ib.TenantId)).SingleOrDefault())?.Status == status,
            $"{ib.Email}'s email to be {status} (last seen {message?.Status}: {message?.LastError})");
        return message!;
    }

    private async Task<HttpResponseMessage> PostEventsAsync(string json, string secret)
    {
        var body = Encoding.UTF8.GetBytes(json);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/email-events") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Webhook-Signature", WebhookSignature.Compute(secret, body));
        return await App.CreateClient().SendAsync(request, TestContext.Current.CancellationToken);
    }

    private async Task<Suppression?> SuppressionOfAsync(string address)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<Suppressions>().FindAsync(address, TestContext.Current.CancellationToken);
    }
}
