using System.Net;
using ClientFlow.Automation.Leads;
using ClientFlow.Tests.Infrastructure;

namespace ClientFlow.Tests.Integration.Leads;

public sealed class FormApp : SqliteApp
{
    public const int SubmissionsPerMinute = 50;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Capture:FormSubmissionsPerMinute"] = SubmissionsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["App:PublicBaseUrl"] = "https://leads.example.com",
    };
}

/// <summary>The hosted form /f/{formKey}: fields, server-side validation, honeypot, limits, the thank-you page, Settings' link and snippet.</summary>
public sealed class HostedFormTests(FormApp fixture) : IClassFixture<FormApp>
{
    [Fact]
    public async Task Form_ShowsTheSeedFields_AndAnUnknownKeyIs404()
    {
        var ib = await fixture.App.SeedIbAsync("form-fields@ib.test", "Form Fields IB");
        using var client = fixture.App.CreatePageClient();

        var page = await client.GetDocumentAsync($"/f/{ib.FormKey}");
        using var unknown = await client.Http.GetAsync("/f/doesnotexist0000", TestContext.Current.CancellationToken);

        foreach (var field in new[] { "Input.Name", "Input.Email", "Input.Phone", "Input.IbType", "Input.MonthlyLeads", "Input.BrokerNetwork" })
        {
            Assert.NotNull(page.QuerySelector($"[name='{field}']"));
            var id = page.QuerySelector($"[name='{field}']")!.Id;
            Assert.NotNull(page.QuerySelector($"label[for='{id}']"));
        }

        Assert.Contains("Form Fields IB", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Submit_CapturesTheLeadWithTags_AndThanksTheVisitor()
    {
        var ib = await fixture.App.SeedIbAsync("form-ok@ib.test", "Form OK IB");
        using var client = fixture.App.CreatePageClient();

        using var response = await client.SubmitFormAsync($"/f/{ib.FormKey}", Fields("visitor@example.com", monthlyLeads: "100-499"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/f/{ib.FormKey}/thanks", response.Headers.Location?.OriginalString);
        var thanks = await client.GetDocumentAsync(response.Headers.Location!.OriginalString);
        Assert.Contains("Form OK IB", thanks.QuerySelector("[data-testid=form-thanks]")?.TextContent, StringComparison.Ordinal);
        var lead = Assert.Single(await fixture.App.LeadsOfAsync(ib.TenantId));
        Assert.Equal((LeadSource.Form, "Visitor Name", "forex-ib"), (lead.Source, lead.Name, lead.IbType));
        Assert.Equal(["demo-request", "forex-ib", "medium-volume"], lead.Tags.Select(t => t.Slug).Order());
    }

    [Fact]
    public async Task Submit_WithBadFields_ShowsAnErrorOnEachField_AndStoresNothing()
    {
        var ib = await fixture.App.SeedIbAsync("form-bad@ib.test", "Form Bad IB");
        using var client = fixture.App.CreatePageClient();

        using var response = await client.SubmitFormAsync($"/f/{ib.FormKey}", new Dictionary<string, string>
        {
            ["Input.Email"] = "not-an-email",
            ["Input.Phone"] = "call me maybe",
            ["Input.MonthlyLeads"] = "a million",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await PageClient.ParseAsync(response);
        foreach (var field in new[] { "Input.Email", "Input.Phone", "Input.MonthlyLeads" })
        {
            Assert.False(string.IsNullOrWhiteSpace(page.QuerySelector($"[data-valmsg-for='{field}']")?.TextContent), $"{field} shows no error");
        }

        Assert.Equal("not-an-email", (page.QuerySelector("[name='Input.Email']") as AngleSharp.Html.Dom.IHtmlInputElement)?.Value);
        Assert.Empty(await fixture.App.LeadsOfAsync(ib.TenantId));
    }

    [Fact]
    public async Task Submit_WithTheHoneypotFilled_ThanksTheBot_AndStoresNothing()
    {
        var ib = await fixture.App.SeedIbAsync("form-bot@ib.test", "Form Bot IB");
        using var client = fixture.App.CreatePageClient();
        var fields = Fields("bot@example.com");
        fields["Input.Website"] = "http://spam.example";

        using var response = await client.SubmitFormAsync($"/f/{ib.FormKey}", fields);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Empty(await fixture.App.LeadsOfAsync(ib.TenantId));
    }

    [Fact]
    public async Task Submit_BeyondTheLeadLimit_ShowsTheRefusal()
    {
        var ib = await fixture.App.SeedIbAsync("form-full@ib.test", "Form Full IB", "already@example.com");
        await fixture.App.SetMaxLeadsAsync(ib.TenantId, 1);
        using var client = fixture.App.CreatePageClient();

        using var response = await client.SubmitFormAsync($"/f/{ib.FormKey}", Fields("onemore@example.com"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await PageClient.ParseAsync(response);
        Assert.Contains(CaptureResult.LimitReachedMessage, page.QuerySelector("[role=alert]")?.TextContent, StringComparison.Ordinal);
        Assert.Single(await fixture.App.LeadsOfAsync(ib.TenantId));
    }

    [Fact]
    public async Task Settings_ShowsTheFormLinkAndEmbedSnippet_OnThePublicOrigin()
    {
        var ib = await fixture.App.SeedIbAsync("form-settings@ib.test", "Form Settings IB");
        using var client = fixture.App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);

        var settings = await client.GetDocumentAsync("/Settings");

        var link = $"https://leads.example.com/f/{ib.FormKey}";
        Assert.Equal(link, settings.QuerySelector("[data-testid=form-link]")?.TextContent);
        Assert.Contains($"<iframe src=\"{link}\"", settings.QuerySelector("[data-testid=embed-snippet]")?.TextContent, StringComparison.Ordinal);
    }

    internal static Dictionary<string, string> Fields(string email, string monthlyLeads = "500+") => new()
    {
        ["Input.Name"] = "Visitor Name",
        ["Input.Email"] = email,
        ["Input.Phone"] = "+1 555 0100",
        ["Input.IbType"] = "forex-ib",
        ["Input.MonthlyLeads"] = monthlyLeads,
        ["Input.BrokerNetwork"] = "Pepperstone",
    };
}

/// <summary>Its own app: flooding the form spends that app's per-address allowance.</summary>
public sealed class HostedFormRateLimitTests(FormApp fixture) : IClassFixture<FormApp>
{
    [Fact]
    public async Task Submit_TooOftenFromOneAddress_Answers429()
    {
        var ib = await fixture.App.SeedIbAsync("form-flood@ib.test", "Form Flood IB");
        using var client = fixture.App.CreatePageClient();
        var statuses = new List<HttpStatusCode>();

        for (var i = 0; i < FormApp.SubmissionsPerMinute + 5; i++)
        {
            using var response = await client.Http.PostAsync($"/f/{ib.FormKey}", new FormUrlEncodedContent(HostedFormTests.Fields($"flood{i}@example.com")), TestContext.Current.CancellationToken);
            statuses.Add(response.StatusCode);
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.True((await fixture.App.LeadsOfAsync(ib.TenantId)).Count <= FormApp.SubmissionsPerMinute);
        using var read = await client.Http.GetAsync($"/f/{ib.FormKey}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }
}
