using System.Net;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;

namespace ClientFlow.Tests.Integration.Email;

public sealed class OutboxPagesApp : SqliteApp;

/// <summary>The app on the Systeme.io tag channel: /Outbox lists the messages for reference only.</summary>
public sealed class SystemeTagChannelApp : SqliteApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Email:Channel"] = "SystemeTag" };
}

/// <summary>/Outbox and /Outbox/{id}: the IB's sends, newest first and paged; a message's body, its links followed by hand; isolation.</summary>
public sealed class OutboxPagesTests(OutboxPagesApp fixture) : IClassFixture<OutboxPagesApp>
{
    private const string Target = "https://broker.example/open-account";

    private ClientFlowAppFactory App => fixture.App;

    [Fact]
    public async Task Outbox_ListsAWorkflowSend_AndItsMessagePagesClickLinkRedirects_AndRecordsTheClick()
    {
        var (ib, message) = await SendWelcomeAsync("click");
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);

        var outbox = await client.GetDocumentAsync("/Outbox");
        Assert.Null(outbox.QuerySelector("[data-testid=channel-note]"));
        var row = Assert.Single(outbox.QuerySelectorAll("[data-testid=outbox-row]"));
        Assert.Contains("dana.click@example.com", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("Welcome, Dana", row.TextContent, StringComparison.Ordinal);
        Assert.Contains(nameof(EmailKind.Workflow), row.TextContent, StringComparison.Ordinal);
        Assert.Contains(nameof(EmailStatus.Sent), row.TextContent, StringComparison.Ordinal);
        var href = row.QuerySelector("a")!.GetAttribute("href")!;
        Assert.Equal($"/Outbox/{message.Id}", href);

        var page = await client.GetDocumentAsync(href);
        Assert.Equal("not yet", page.QuerySelector("[data-testid=message-clicked]")?.TextContent);
        var click = Assert.Single(page.QuerySelectorAll("[data-testid=click-link]"));
        Assert.Equal($"/t/c/{message.Token}/0", click.GetAttribute("href"));
        Assert.Equal("_blank", click.GetAttribute("target"));
        Assert.Equal(Target, page.QuerySelector("[data-testid=click-target]")?.TextContent);
        Assert.Equal($"/t/o/{message.Token}", page.QuerySelector("[data-testid=open-link]")?.GetAttribute("href"));
        Assert.Equal($"/u/{message.Token}", page.QuerySelector("[data-testid=unsubscribe-link]")?.GetAttribute("href"));
        Assert.Contains("Hi Dana", page.QuerySelector("[data-testid=message-text]")?.TextContent, StringComparison.Ordinal);

        using (var redirect = await client.Http.GetAsync(click.GetAttribute("href"), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
            Assert.Equal(new Uri(Target), redirect.Headers.Location);
        }

        var clicked = Assert.Single(await App.MessagesOfAsync(ib.TenantId));
        Assert.NotNull(clicked.ClickedAt);
        Assert.Equal(1, clicked.ClickCount);
        var after = await client.GetDocumentAsync(href);
        Assert.NotEqual("not yet", after.QuerySelector("[data-testid=message-clicked]")?.TextContent);
        Assert.NotEqual("not yet", after.QuerySelector("[data-testid=message-opened]")?.TextContent);
    }

    [Fact]
    public async Task MessageBody_IsServedSandboxed_WithoutItsOpenPixel_SoReadingItIsNotAnOpen()
    {
        var (ib, message) = await SendWelcomeAsync("body");
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);

        var page = await client.GetDocumentAsync($"/Outbox/{message.Id}");
        var frame = page.QuerySelector("iframe[data-testid=message-body]")!;
        Assert.Equal(string.Empty, frame.GetAttribute("sandbox"));
        using var body = await client.Http.GetAsync(frame.GetAttribute("src"), TestContext.Current.CancellationToken);
        var html = await body.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, body.StatusCode);
        Assert.Equal("text/html", body.Content.Headers.ContentType?.MediaType);
        SecurityPolicy.AssertEmailBody(body);
        Assert.Equal("nosniff", body.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("Hi Dana", html, StringComparison.Ordinal);
        Assert.Contains($"/t/c/{message.Token}/0", html, StringComparison.Ordinal);
        Assert.Contains($"/t/o/{message.Token}", message.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain($"/t/o/{message.Token}", html, StringComparison.Ordinal);

        using (var open = await client.Http.GetAsync(page.QuerySelector("[data-testid=open-link]")!.GetAttribute("href"), TestContext.Current.CancellationToken))
        {
            Assert.Equal("image/gif", open.Content.Headers.ContentType?.MediaType);
        }

        var opened = Assert.Single(await App.MessagesOfAsync(ib.TenantId));
        Assert.Equal(1, opened.OpenCount);
        Assert.Null(opened.ClickedAt);
    }

    [Fact]
    public async Task AnotherIbsMessage_Is404_AndIsNotListed()
    {
        var (owner, message) = await SendWelcomeAsync("owner");
        var other = await App.SeedIbAsync("other@outbox.test", "Other IB");
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(other.Email);

        foreach (var url in new[] { $"/Outbox/{message.Id}", $"/Outbox/{message.Id}?handler=Body", $"/Outbox/{Guid.NewGuid()}" })
        {
            using var response = await client.Http.GetAsync(url, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        var outbox = await client.GetDocumentAsync("/Outbox");
        Assert.Empty(outbox.QuerySelectorAll("[data-testid=outbox-row]"));
        Assert.DoesNotContain("Welcome, Dana", outbox.Body!.TextContent, StringComparison.Ordinal);
        Assert.Null(Assert.Single(await App.MessagesOfAsync(owner.TenantId)).ClickedAt);
    }

    [Fact]
    public async Task Outbox_PagesFiftyAtATime_NewestFirst()
    {
        var ib = await App.SeedIbAsync("paging@outbox.test", "Paging IB");
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await App.AsTenantAsync(ib.TenantId, db =>
        {
            db.EmailMessages.AddRange(Enumerable.Range(0, 55).Select(i => new EmailMessage
            {
                Kind = EmailKind.Notification,
                Token = EmailTracking.NewToken(),
                To = ib.Email,
                Subject = $"Notice {i:00}",
                HtmlBody = "<p>Notice</p>",
                CreatedAt = start.AddMinutes(i),
            }));
            return db.SaveChangesAsync(TestContext.Current.CancellationToken);
        });
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);

        var first = (await client.GetDocumentAsync("/Outbox")).QuerySelectorAll("[data-testid=outbox-row] a").Select(a => a.TextContent).ToList();
        var second = (await client.GetDocumentAsync("/Outbox?p=2")).QuerySelectorAll("[data-testid=outbox-row] a").Select(a => a.TextContent).ToList();

        Assert.Equal(50, first.Count);
        Assert.Equal("Notice 54", first[0]);
        Assert.Equal(["Notice 04", "Notice 03", "Notice 02", "Notice 01", "Notice 00"], second);
    }

    /// <summary>A new IB whose capture-triggered workflow sends "Welcome" (one tracked link) to Dana; waits until it is delivered.</summary>
    private async Task<(SeededIb Ib, EmailMessage Message)> SendWelcomeAsync(string name)
    {
        var ib = await App.SeedIbAsync($"{name}@outbox.test", $"{name} IB");
        var template = await App.CreateTemplateAsync(
            ib.TenantId,
            "Welcome",
            "Welcome, {{ first_name }}",
            "<p>Hi {{ first_name }}</p><a href=\"" + Target + "\">Open an account</a>",
            "Hi {{ first_name }}");
        await App.PublishWorkflowAsync(ib.TenantId, "Welcome", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new SendEmailStep(template.Id)]);
        await App.CaptureAsync(ib.TenantId, new LeadInput { Email = $"dana.{name}@example.com", Name = "Dana Whitfield" });

        EmailMessage? message = null;
        await Eventually.HoldsAsync(
            async () =>
            {
                message = (await App.MessagesOfAsync(ib.TenantId)).SingleOrDefault();
                return message?.Status == EmailStatus.Sent;
            },
            $"the welcome of {ib.Email} to be delivered to the outbox");
        return (ib, message!);
    }
}

/// <summary>On another channel than the outbox, /Outbox says so: the list is a record, not the delivery.</summary>
public sealed class OutboxChannelNoteTests(SystemeTagChannelApp fixture) : IClassFixture<SystemeTagChannelApp>
{
    [Fact]
    public async Task Outbox_SaysEmailsAreDeliveredByTheChannel_WhenItIsNotTheOutbox()
    {
        var ib = await fixture.App.SeedIbAsync("tag-channel@outbox.test", "Tag Channel IB");
        using var client = fixture.App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);

        var note = (await client.GetDocumentAsync("/Outbox")).QuerySelector("[data-testid=channel-note]")?.TextContent;

        Assert.Contains("delivered by the Systeme.io tag channel", note, StringComparison.Ordinal);
        Assert.Contains("listed here for reference", note, StringComparison.Ordinal);
    }
}
