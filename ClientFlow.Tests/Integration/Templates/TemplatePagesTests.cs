using System.Net;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Templates;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Tests.Integration.Templates;

public sealed class TemplatePagesApp : SqliteApp;

/// <summary>/Templates and the editor at /Templates/{id}: save with line/column errors, the limit, the sandboxed preview, send-me-a-test, isolation.</summary>
public sealed class TemplatePagesTests(TemplatePagesApp fixture) : IClassFixture<TemplatePagesApp>
{
    private ClientFlowAppFactory App => fixture.App;

    [Fact]
    public async Task Editor_CreatesATemplate_ThroughTheForm_ListsIt_AndDeletesIt()
    {
        var ib = await App.SeedIbAsync("create@templates.test", "Create IB");
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);

        using var saved = await SaveAsync(client, "/Templates/new", "Welcome", "Welcome, {{ first_name }}", "<p>Hi {{ first_name | string.default \"there\" }}</p>", "Hi {{ first_name }}");

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var template = Assert.Single(await TemplatesOfAsync(ib));
        Assert.Equal($"/Templates/{template.Id}", saved.Headers.Location!.OriginalString);
        Assert.Equal(("Welcome", "Welcome, {{ first_name }}", "Hi {{ first_name }}"), (template.Name, template.Subject, template.TextBody));
        var editor = await client.GetDocumentAsync(saved.Headers.Location.OriginalString);
        Assert.Equal("Saved.", editor.QuerySelector("[role=status]")?.TextContent.Trim());
        Assert.Equal("Welcome", editor.QuerySelector("#Input_Name")?.GetAttribute("value"));
        Assert.Equal("Welcome, Alex", editor.QuerySelector("[data-testid=preview-subject]")?.TextContent);
        var variables = editor.QuerySelector("[data-testid=template-variables]")!.TextContent;
        Assert.All(TemplateVariables.All, v => Assert.Contains(v.Name, variables, StringComparison.Ordinal));
        Assert.Contains("{{ first_name | string.default \"there\" }}", editor.Body!.TextContent, StringComparison.Ordinal);

        var list = await client.GetDocumentAsync("/Templates");
        var row = Assert.Single(list.QuerySelectorAll("[data-testid=template-row]"));
        Assert.Equal("Welcome", row.QuerySelector("a")?.TextContent);
        Assert.Equal("1 of 20 templates", list.QuerySelector("[data-testid=template-count]")?.TextContent);

        using var deleted = await client.SubmitFormAsync("/Templates", new Dictionary<string, string>(), "[data-testid=template-row] form");
        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        Assert.Empty(await TemplatesOfAsync(ib));
        Assert.Contains("Deleted Welcome.", (await client.GetDocumentAsync("/Templates")).QuerySelector("[role=status]")?.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_RefusesAParseError_WithLineAndColumnNextToTheField_AndSavesNothing()
    {
        var ib = await App.SeedIbAsync("parse@templates.test", "Parse IB");
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);
        const string body = "<p>Hello</p>\n<p>{{ if first_name }}Hi{{ end }} {{ first_name | }}</p>";

        using var refused = await SaveAsync(client, "/Templates/new", "Broken", "Fine subject", body);

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var page = await PageClient.ParseAsync(refused);
        var error = page.QuerySelector("[data-valmsg-for='Input.HtmlBody']")?.TextContent;
        Assert.Matches(@"^Line 2, column \d+: ", error);
        Assert.True(string.IsNullOrEmpty(page.QuerySelector("[data-valmsg-for='Input.Subject']")?.TextContent));
        Assert.Equal(body, page.QuerySelector("#Input_HtmlBody")?.TextContent.ReplaceLineEndings("\n").TrimStart('\n'));
        Assert.Empty(await TemplatesOfAsync(ib));
    }

    [Fact]
    public async Task Save_RefusesAnUnknownVariable_OnItsField()
    {
        var ib = await App.SeedIbAsync("unknown@templates.test", "Unknown IB");
        var existing = await App.CreateTemplateAsync(ib.TenantId, "Existing", "Hello", "<p>Hi</p>");
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);

        using var refused = await SaveAsync(client, $"/Templates/{existing.Id}", "Existing", "Hi {{ frist_name }}", "<p>Hi</p>");

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var error = (await PageClient.ParseAsync(refused)).QuerySelector("[data-valmsg-for='Input.Subject']")?.TextContent;
        Assert.StartsWith("Line 1, column 7: Unknown variable 'frist_name'.", error, StringComparison.Ordinal);
        Assert.Equal("Hello", Assert.Single(await TemplatesOfAsync(ib)).Subject);
    }

    [Fact]
    public async Task Save_RefusesATemplateThatFailsAsTheSampleLead_WithLineAndColumnOnItsField()
    {
        var ib = await App.SeedIbAsync("sample-render@templates.test", "Sample Render IB");
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);

        // It parses and names only known variables; only rendering finds the loop over the limit.
        using var refused = await SaveAsync(client, "/Templates/new", "Loops", "Fine subject", "<p>Hi</p>\n<p>{{ for i in 1..5000 }}x{{ end }}</p>");

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var error = (await PageClient.ParseAsync(refused)).QuerySelector("[data-valmsg-for='Input.HtmlBody']")?.TextContent;
        Assert.Matches(@"^Line 2, column \d+: Fails as the sample lead: ", error);
        Assert.Contains($"LoopLimit `{SandboxedRenderer.LoopLimit}`", error, StringComparison.Ordinal);
        Assert.Empty(await TemplatesOfAsync(ib));
    }

    [Fact]
    public async Task Save_RefusesThe21stTemplate_WithTheLimitMessage()
    {
        var ib = await App.SeedIbAsync("limit@templates.test", "Limit IB");
        for (var i = 1; i <= 20; i++)
        {
            await App.CreateTemplateAsync(ib.TenantId, $"T{i}", "Subject", "<p>Body</p>");
        }

        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);
        using var refused = await SaveAsync(client, "/Templates/new", "Twenty-first", "Subject", "<p>Body</p>");

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var summary = (await PageClient.ParseAsync(refused)).QuerySelector("#template-form .validation-summary-errors")?.TextContent;
        Assert.Contains("You have reached your limit of 20 templates.", summary, StringComparison.Ordinal);
        Assert.Equal(20, (await TemplatesOfAsync(ib)).Count);
        Assert.Equal("20 of 20 templates", (await client.GetDocumentAsync("/Templates")).QuerySelector("[data-testid=template-count]")?.TextContent);
    }

    [Fact]
    public async Task Preview_RendersTheSampleLead_AndAChosenLead_HtmlEncoded_UnderTheSandboxCsp()
    {
        var ib = await App.SeedIbAsync("preview@templates.test", "Preview IB");
        var other = await App.SeedIbAsync("preview-other@templates.test", "Other IB", "someone@example.com");
        var template = await App.CreateTemplateAsync(ib.TenantId, "Preview", "For {{ full_name }}", "<p>Hi {{ full_name }}</p>");
        var leadId = await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "tom@example.com", Name = "Tom <b>&</b> Jerry" });
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);

        var editor = await client.GetDocumentAsync($"/Templates/{template.Id}");
        var frame = editor.QuerySelector("iframe[data-testid=template-preview]")!;
        Assert.Equal(string.Empty, frame.GetAttribute("sandbox"));
        Assert.Equal("Email preview", frame.GetAttribute("title"));
        Assert.Equal("For Alex Morgan", editor.QuerySelector("[data-testid=preview-subject]")?.TextContent);
        Assert.Contains(editor.QuerySelectorAll("#leadId option"), o => o.GetAttribute("value") == leadId.ToString());

        using (var sample = await client.Http.GetAsync(frame.GetAttribute("src"), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, sample.StatusCode);
            Assert.Equal("text/html", sample.Content.Headers.ContentType?.MediaType);
            SecurityPolicy.AssertEmailBody(sample);
            Assert.Contains("<p>Hi Alex Morgan</p>", await sample.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }

        var asLead = await client.GetDocumentAsync($"/Templates/{template.Id}?leadId={leadId}");
        Assert.Equal("For Tom <b>&</b> Jerry", asLead.QuerySelector("[data-testid=preview-subject]")?.TextContent);
        var leadSrc = asLead.QuerySelector("iframe[data-testid=template-preview]")!.GetAttribute("src");
        Assert.Equal($"/Templates/{template.Id}?handler=Preview&leadId={leadId}", leadSrc);
        using (var lead = await client.Http.GetAsync(leadSrc, TestContext.Current.CancellationToken))
        {
            SecurityPolicy.AssertEmailBody(lead);
            Assert.Contains("<p>Hi Tom &lt;b&gt;&amp;&lt;/b&gt; Jerry</p>", await lead.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(client, $"/Templates/{template.Id}?handler=Preview&leadId={other.LeadIds[0]}"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(client, $"/Templates/{template.Id}?leadId={other.LeadIds[0]}"));
    }

    [Fact]
    public async Task Preview_OfATemplateThatFailsToRender_ShowsTheMessage_AsPlainText()
    {
        var ib = await App.SeedIbAsync("render@templates.test", "Render IB");
        // Fine as the sample lead (Alex: 4 x 200 iterations), over the loop limit for a longer first name.
        var template = await App.CreateTemplateAsync(ib.TenantId, "Loops", "Loops", "<p>{{ for i in 1..((first_name | string.size) * 200) }}x{{ end }}</p>");
        var leadId = await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "maximiliana@example.com", Name = "Maximiliana Long" });
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);

        var editor = await client.GetDocumentAsync($"/Templates/{template.Id}?leadId={leadId}");
        using var preview = await client.Http.GetAsync($"/Templates/{template.Id}?handler=Preview&leadId={leadId}", TestContext.Current.CancellationToken);

        Assert.StartsWith("Line 1, column", editor.QuerySelector("[data-testid=preview-error]")?.TextContent.Replace("This template cannot render: ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal("text/plain", preview.Content.Headers.ContentType?.MediaType);
        SecurityPolicy.AssertEmailBody(preview);
        Assert.StartsWith("Line 1, column", await preview.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnotherIbsTemplate_Is404_OnGetPostPreviewSendTestAndDelete_AndIsNotListed()
    {
        var owner = await App.SeedIbAsync("owner@templates.test", "Owner IB");
        var other = await App.SeedIbAsync("other@templates.test", "Other IB");
        var template = await App.CreateTemplateAsync(owner.TenantId, "Private", "Private subject", "<p>Private</p>");
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(other.Email);

        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(client, $"/Templates/{template.Id}"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(client, $"/Templates/{template.Id}?handler=Preview"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(client, $"/Templates/{Guid.NewGuid()}"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(client, "/Templates/not-a-guid"));

        var fields = new Dictionary<string, string> { ["Input.Name"] = "Stolen", ["Input.Subject"] = "Stolen", ["Input.HtmlBody"] = "<p>Stolen</p>" };
        using (var post = await client.SubmitFormAsync("/Templates/new", fields, "#template-form", $"/Templates/{template.Id}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        }

        using (var sendTest = await client.SubmitFormAsync("/Templates/new", new Dictionary<string, string>(), "#template-form", $"/Templates/{template.Id}?handler=SendTest"))
        {
            Assert.Equal(HttpStatusCode.NotFound, sendTest.StatusCode);
        }

        using (var delete = await client.SubmitFormAsync("/Templates/new", new Dictionary<string, string>(), "#template-form", $"/Templates?handler=Delete&id={template.Id}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        }

        Assert.Empty((await client.GetDocumentAsync("/Templates")).QuerySelectorAll("[data-testid=template-row]"));
        var kept = Assert.Single(await TemplatesOfAsync(owner));
        Assert.Equal(("Private", "Private subject"), (kept.Name, kept.Subject));
        Assert.Empty(await App.MessagesOfAsync(other.TenantId));
        Assert.Empty(await App.MessagesOfAsync(owner.TenantId));
    }

    [Fact]
    public async Task SendMeATest_QueuesATestMessageToTheIb_DeliveredOnTheOutbox()
    {
        var ib = await App.SeedIbAsync("test-send@templates.test", "Test Send IB");
        var template = await App.CreateTemplateAsync(ib.TenantId, "Tested", "Hello {{ first_name }}", "<p>Hi {{ first_name }}</p>", "Hi {{ first_name }}");
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);

        using var sent = await client.SubmitFormAsync($"/Templates/{template.Id}", new Dictionary<string, string>(), "form[action*=SendTest]");

        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        var editor = await client.GetDocumentAsync(sent.Headers.Location!.OriginalString);
        Assert.Equal($"Test email sent to {ib.Email}.", editor.QuerySelector("[role=status]")?.TextContent.Trim());

        EmailMessage? message = null;
        await Eventually.HoldsAsync(
            async () =>
            {
                message = (await App.MessagesOfAsync(ib.TenantId)).SingleOrDefault();
                return message?.Status == EmailStatus.Sent;
            },
            "the test message to be delivered through the outbox");
        Assert.Equal(EmailKind.Test, message!.Kind);
        Assert.Equal(ib.Email, message.To);
        Assert.Equal("[Test] Hello Alex", message.Subject);
        Assert.Null(message.LeadId);
        Assert.Equal(template.Id, message.TemplateId);

        var outbox = await client.GetDocumentAsync("/Outbox");
        var row = Assert.Single(outbox.QuerySelectorAll("[data-testid=outbox-row]"));
        Assert.Contains(ib.Email, row.TextContent, StringComparison.Ordinal);
        Assert.Contains("[Test] Hello Alex", row.TextContent, StringComparison.Ordinal);
        Assert.Contains(nameof(EmailKind.Test), row.TextContent, StringComparison.Ordinal);
        Assert.Equal($"/Outbox/{message.Id}", row.QuerySelector("a")?.GetAttribute("href"));
    }

    private static Task<HttpResponseMessage> SaveAsync(PageClient client, string url, string name, string subject, string htmlBody, string? textBody = null) =>
        client.SubmitFormAsync(url, new Dictionary<string, string>
        {
            ["Input.Name"] = name,
            ["Input.Subject"] = subject,
            ["Input.HtmlBody"] = htmlBody,
            ["Input.TextBody"] = textBody ?? string.Empty,
        }, "#template-form");

    private static async Task<HttpStatusCode> StatusOfAsync(PageClient client, string url)
    {
        using var response = await client.Http.GetAsync(url, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    private Task<List<EmailTemplate>> TemplatesOfAsync(SeededIb ib) =>
        App.AsTenantAsync(ib.TenantId, db => db.EmailTemplates.AsNoTracking().OrderBy(t => t.Name).ToListAsync(TestContext.Current.CancellationToken));
}
