using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Outbox;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using ClientFlow.Tests.Infrastructure.Smtp;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Email;

/// <summary>The app on the SMTP channel, its tracking open window off.</summary>
public sealed class SmtpApp : SmtpAppFixture
{
    public const string Origin = "http://clientflow.test";

    protected override string PublicOrigin => Origin;

    // The tests open right after delivery, as no person could: count them as people here.
    protected override void Configure(Dictionary<string, string?> settings) => settings["Tracking:MachineOpenWindow"] = "00:00:00";
}

/// <summary>
/// A workflow send goes out as a real SMTP message (parsed back with MimeKit) carrying the sender
/// identity, tracked links, an open pixel and one-click unsubscribe; the links work against the app;
/// transient refusals are retried once, permanent ones fail the message with the reason.
/// </summary>
public sealed class SmtpDeliveryTests(SmtpApp fixture) : IClassFixture<SmtpApp>
{
    private const string Target = "https://broker.example/open-account";

    private SmtpTestServer Smtp => fixture.Smtp;

    [Fact]
    public async Task WorkflowSend_DeliversOneMessage_WithSenderIdentityTrackingAndUnsubscribeHeaders()
    {
        var (ib, leadEmail) = await CaptureIntoWelcomeWorkflowAsync("identity");

        var received = await WaitForMessageAsync(leadEmail);
        var stored = await WaitForStatusAsync(ib, EmailStatus.Sent);
        var mime = received.Message;
        var token = stored.Token;

        Assert.Equal(SmtpApp.From, received.EnvelopeFrom);
        Assert.Equal([leadEmail], received.Recipients);
        Assert.Equal(leadEmail, Assert.Single(mime.To.Mailboxes).Address);
        var from = Assert.Single(mime.From.Mailboxes);
        Assert.Equal(SmtpApp.From, from.Address);
        Assert.Equal("Identity IB", from.Name);
        Assert.Equal(ib.Email, Assert.Single(mime.ReplyTo.Mailboxes).Address);
        Assert.Equal("Welcome, Dana", mime.Subject);
        Assert.Equal($"{stored.Id:N}@clientflow", mime.MessageId);
        Assert.Equal($"<{SmtpApp.Origin}/u/{token}>", mime.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", mime.Headers["List-Unsubscribe-Post"]);

        var html = HtmlOf(received);
        Assert.Contains("Hi Dana", html.Body!.TextContent, StringComparison.Ordinal);
        var hrefs = html.QuerySelectorAll("a[href]").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal([$"{SmtpApp.Origin}/t/c/{token}/0", $"{SmtpApp.Origin}/u/{token}"], hrefs);
        Assert.DoesNotContain("broker.example", mime.HtmlBody, StringComparison.Ordinal);
        Assert.Contains(html.QuerySelectorAll("img[src]"), img => img.GetAttribute("src") == $"{SmtpApp.Origin}/t/o/{token}");

        Assert.NotNull(mime.TextBody);
        Assert.Contains("Hi Dana, open your account when you are ready.\n.\n...and see you soon.", mime.TextBody.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains($"Unsubscribe: {SmtpApp.Origin}/u/{token}", mime.TextBody, StringComparison.Ordinal);

        Assert.Equal(EmailChannelKind.Smtp, stored.Channel);
        Assert.NotNull(stored.SentAt);
        Assert.Null(stored.LastError);
    }

    [Fact]
    public async Task ATemplateWithoutText_IsSentWithATextPart_ReadFromItsHtml()
    {
        var (ib, leadEmail) = await CaptureIntoWelcomeWorkflowAsync("htmlonly", withText: false);

        var received = await WaitForMessageAsync(leadEmail);
        var token = (await WaitForStatusAsync(ib, EmailStatus.Sent)).Token;

        var text = received.Message.TextBody?.ReplaceLineEndings("\n");
        Assert.NotNull(text);
        Assert.StartsWith($"Hi Dana\n\nOpen ({Target})\n", text, StringComparison.Ordinal);
        Assert.Contains($"Unsubscribe: {SmtpApp.Origin}/u/{token}", text, StringComparison.Ordinal);
        Assert.DoesNotContain("<", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClickLink_RedirectsToTheOriginalTarget_AndRecordsClickAndOpen()
    {
        var (ib, leadEmail) = await CaptureIntoWelcomeWorkflowAsync("click");
        var received = await WaitForMessageAsync(leadEmail);
        await WaitForStatusAsync(ib, EmailStatus.Sent);
        var click = HtmlOf(received).QuerySelector("a[href*='/t/c/']")!.GetAttribute("href")!;

        using var http = CreateClient();
        using (var redirect = await http.GetAsync(PathOf(click), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
            Assert.Equal(new Uri(Target), redirect.Headers.Location);
        }

        var stored = Assert.Single(await fixture.App.MessagesOfAsync(ib.TenantId));
        Assert.NotNull(stored.ClickedAt);
        Assert.NotNull(stored.OpenedAt);
        Assert.Equal(1, stored.ClickCount);

        using var unknown = await http.GetAsync($"/t/c/{stored.Token}/99", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task OpenPixel_AnswersAGif_AndRecordsTheOpen()
    {
        var (ib, leadEmail) = await CaptureIntoWelcomeWorkflowAsync("open");
        var received = await WaitForMessageAsync(leadEmail);
        await WaitForStatusAsync(ib, EmailStatus.Sent);
        var pixel = HtmlOf(received).QuerySelector("img[src*='/t/o/']")!.GetAttribute("src")!;

        using var http = CreateClient();
        using var response = await http.GetAsync(PathOf(pixel), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/gif", response.Content.Headers.ContentType?.MediaType);
        var stored = Assert.Single(await fixture.App.MessagesOfAsync(ib.TenantId));
        Assert.NotNull(stored.OpenedAt);
        Assert.Null(stored.ClickedAt);
        Assert.Equal(1, stored.OpenCount);
    }

    [Fact]
    public async Task OneClickUnsubscribe_UnsubscribesTheLead_AndNothingMoreIsSent()
    {
        var (ib, leadEmail) = await CaptureIntoWelcomeWorkflowAsync("unsubscribe");
        var received = await WaitForMessageAsync(leadEmail);
        await WaitForStatusAsync(ib, EmailStatus.Sent);
        var header = received.Message.Headers["List-Unsubscribe"]!;
        var unsubscribe = header.Trim('<', '>');

        // A run that would write again tomorrow: unsubscribing ends it.
        var leadId = Assert.Single(await fixture.App.LeadsOfAsync(ib.TenantId)).Id;
        var tomorrow = await fixture.App.CreateTemplateAsync(ib.TenantId, "Tomorrow", "Tomorrow", "<p>See you</p>");
        var followUp = await fixture.App.PublishWorkflowAsync(ib.TenantId, "Follow-up", new WorkflowTrigger(TriggerKind.Manual, null), [new WaitStep(1, WaitUnit.Days), new SendEmailStep(tomorrow.Id)]);
        Assert.Equal(1, await EnrolByHandAsync(ib, followUp, leadId));
        await Eventually.HoldsAsync(
            async () => (await fixture.App.RunsOfAsync(ib.TenantId)).Any(r => r.WorkflowId == followUp && r.Status == RunStatus.Waiting),
            "the follow-up run waits");

        // A GET (a link scanner, or the lead opening the page) only asks.
        using var http = CreateClient();
        using (var page = await http.GetAsync(PathOf(unsubscribe), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        Assert.Equal(LeadStatus.Nurturing, Assert.Single(await fixture.App.LeadsOfAsync(ib.TenantId)).Status);

        // What a mail client does with List-Unsubscribe-Post (RFC 8058): no cookie, no antiforgery token.
        using (var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" }))
        using (var response = await http.PostAsync(PathOf(unsubscribe), form, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var lead = Assert.Single(await fixture.App.LeadsOfAsync(ib.TenantId));
        Assert.Equal(LeadStatus.Unsubscribed, lead.Status);
        Assert.Contains(lead.Tags, t => t.Slug == EmailEngagement.UnsubscribedTag);
        var ended = Assert.Single(await fixture.App.RunsOfAsync(ib.TenantId), r => r.WorkflowId == followUp);
        Assert.Equal((RunStatus.Exited, "The lead unsubscribed."), (ended.Status, ended.LastError));

        var template = await fixture.App.CreateTemplateAsync(ib.TenantId, "Second", "Still there?", "<p>Hi again</p>");
        var manual = await fixture.App.PublishWorkflowAsync(ib.TenantId, "By hand", new WorkflowTrigger(TriggerKind.Manual, null), [new SendEmailStep(template.Id)]);
        Assert.Equal(0, await EnrolByHandAsync(ib, manual, lead.Id));

        await fixture.App.SweepRunsAsync();
        await fixture.App.SweepOutboxAsync();
        Assert.Single(await fixture.App.MessagesOfAsync(ib.TenantId));
        Assert.Single(Smtp.DataAttempts, a => a.Recipients.Contains(leadEmail));
    }

    [Fact]
    public async Task TransientRefusal_IsRetried_AndDeliveredOnce()
    {
        Smtp.FailNextData(1, 451, "4.3.0 Try again later");
        var (ib, leadEmail) = await CaptureIntoWelcomeWorkflowAsync("retry");

        var stored = await WaitForStatusAsync(ib, EmailStatus.Sent);

        Assert.Equal([451, 250], Smtp.DataAttempts.Where(a => a.Recipients.Contains(leadEmail)).Select(a => a.ReplyCode));
        Assert.Single(Smtp.Messages, m => m.Recipients.Contains(leadEmail));
        Assert.Null(stored.LastError);
        var operation = await OperationOfAsync(ib, stored.Id);
        Assert.Equal(OutboundStatus.Done, operation.Status);
        Assert.Equal(2, operation.Attempts);
    }

    [Fact]
    public async Task PermanentRefusal_FailsTheMessage_WithTheReason_AndSendsNothingMore()
    {
        Smtp.FailNextData(1, 550, "5.7.1 Rejected by policy");
        var (ib, leadEmail) = await CaptureIntoWelcomeWorkflowAsync("refused");

        var stored = await WaitForStatusAsync(ib, EmailStatus.Failed);

        Assert.Contains("550", stored.LastError, StringComparison.Ordinal);
        Assert.Contains("Rejected by policy", stored.LastError, StringComparison.Ordinal);
        var operation = await OperationOfAsync(ib, stored.Id);
        Assert.Equal(OutboundStatus.Failed, operation.Status);

        await fixture.App.SweepOutboxAsync();
        Assert.Equal([550], Smtp.DataAttempts.Where(a => a.Recipients.Contains(leadEmail)).Select(a => a.ReplyCode));
        Assert.DoesNotContain(Smtp.Messages, m => m.Recipients.Contains(leadEmail));
        Assert.Equal(EmailStatus.Failed, Assert.Single(await fixture.App.MessagesOfAsync(ib.TenantId)).Status);
    }

    /// <summary>A new IB with a capture-triggered "Welcome" workflow, and one captured lead (Dana).</summary>
    private async Task<int> EnrolByHandAsync(SeededIb ib, Guid workflowId, Guid leadId)
    {
        await using var scope = fixture.App.Services.CreateAsyncScope();
        using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(ib.TenantId))
        {
            return await scope.ServiceProvider.GetRequiredService<Enrolments>().EnrolByHandAsync(workflowId, [leadId], TestContext.Current.CancellationToken);
        }
    }

    private async Task<(SeededIb Ib, string LeadEmail)> CaptureIntoWelcomeWorkflowAsync(string name, bool withText = true)
    {
        var app = fixture.App;
        var ib = await app.SeedIbAsync($"{name}@ib.test", $"{char.ToUpperInvariant(name[0])}{name[1..]} IB");
        var template = await app.CreateTemplateAsync(
            ib.TenantId,
            "Welcome",
            "Welcome, {{ first_name }}",
            """<p>Hi {{ first_name }}</p><a href="https://broker.example/open-account">Open</a>""",
            // The lone "." and the "..." line travel dot-stuffed (RFC 5321 4.5.2) and must arrive intact.
            withText ? "Hi {{ first_name }}, open your account when you are ready.\n.\n...and see you soon." : null);
        await app.PublishWorkflowAsync(ib.TenantId, "Welcome", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new SendEmailStep(template.Id)]);

        var leadEmail = $"dana.{name}@example.com";
        await app.CaptureAsync(ib.TenantId, new LeadInput { Email = leadEmail, Name = "Dana Whitfield" });
        return (ib, leadEmail);
    }

    private async Task<SmtpReceivedMessage> WaitForMessageAsync(string recipient)
    {
        await Eventually.HoldsAsync(() => Task.FromResult(Smtp.Messages.Any(m => m.Recipients.Contains(recipient))), $"a message to {recipient}");
        return Assert.Single(Smtp.Messages, m => m.Recipients.Contains(recipient));
    }

    private async Task<EmailMessage> WaitForStatusAsync(SeededIb ib, EmailStatus status)
    {
        EmailMessage? message = null;
        await Eventually.HoldsAsync(
            async () =>
            {
                message = (await fixture.App.MessagesOfAsync(ib.TenantId)).SingleOrDefault();
                return message?.Status == status;
            },
            $"the message of {ib.Email} to be {status} (last seen {message?.Status}: {message?.LastError})");
        return message!;
    }

    /// <summary>The message's delivery row once its outcome is recorded (a step after the message's own status).</summary>
    private async Task<OutboundOperation> OperationOfAsync(SeededIb ib, Guid messageId)
    {
        OutboundOperation? operation = null;
        await Eventually.HoldsAsync(
            async () =>
            {
                operation = await fixture.App.AsTenantAsync(ib.TenantId, db => db.OutboundOperations.AsNoTracking().SingleAsync(o => o.EmailMessageId == messageId, TestContext.Current.CancellationToken));
                return operation.Status != OutboundStatus.Pending;
            },
            $"the delivery of message {messageId} to be recorded");
        return operation!;
    }

    private static IHtmlDocument HtmlOf(SmtpReceivedMessage received)
    {
        Assert.NotNull(received.Message.HtmlBody);
        return new HtmlParser().ParseDocument(received.Message.HtmlBody);
    }

    private HttpClient CreateClient() => fixture.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    /// <summary>A link from the email points at the public origin; the test host answers its path.</summary>
    private static string PathOf(string url)
    {
        Assert.StartsWith(SmtpApp.Origin + "/", url, StringComparison.Ordinal);
        return new Uri(url).PathAndQuery;
    }
}
