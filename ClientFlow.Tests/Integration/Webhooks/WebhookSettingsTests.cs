using System.Net;
using System.Text;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Webhooks;

public sealed class WebhookSettingsApp : SqliteApp
{
    public const string Origin = "http://clientflow.test";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["App:PublicBaseUrl"] = Origin };
}

/// <summary>
/// The "Systeme.io workflow webhook" section of /Settings: the per-IB URL for Systeme.io workflow "send webhook"
/// actions is created or replaced there, shown once like the API key, and stored only as a hash.
/// </summary>
public sealed class WebhookSettingsTests(WebhookSettingsApp fixture) : IClassFixture<WebhookSettingsApp>
{
    private const string UrlPrefix = WebhookSettingsApp.Origin + "/webhooks/systeme/t/";

    private ClientFlowAppFactory App => fixture.App;

    [Fact]
    public async Task Settings_OffersANewIbToCreateItsWebhookUrl_WithTheSystemeSteps()
    {
        var ib = await App.SeedIbAsync("new@hook.test", "New Hook IB");
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);

        var page = await client.GetDocumentAsync("/Settings");
        var section = page.QuerySelector("[data-testid=systeme-webhook]");
        Assert.NotNull(section);
        Assert.Equal("Systeme.io workflow webhook", section.QuerySelector("h2")?.TextContent);
        Assert.Equal("Create my webhook URL", section.QuerySelector("form[action*=RotateWebhookToken] button")?.TextContent);
        Assert.NotNull(section.QuerySelector("[data-testid=webhook-url-missing]"));
        Assert.Null(section.QuerySelector("[data-testid=webhook-url]"));

        var steps = section.QuerySelectorAll("ol[data-testid=systeme-webhook-steps] li").Select(li => li.TextContent).ToList();
        Assert.Equal(4, steps.Count);
        Assert.Contains("Automations", steps[0], StringComparison.Ordinal);
        Assert.Contains("Email link clicked", steps[1], StringComparison.Ordinal);
        Assert.Contains("Send webhook", steps[2], StringComparison.Ordinal);
        Assert.Contains("?event=clicked&template=", steps[2], StringComparison.Ordinal);
        Assert.Contains("activate", steps[3], StringComparison.Ordinal);
        Assert.Contains("no \u201cemail opened\u201d trigger", section.TextContent, StringComparison.Ordinal);

        var note = section.QuerySelector("[data-testid=systeme-service-note]")?.TextContent;
        Assert.Contains($"{WebhookSettingsApp.Origin}/webhooks/systeme", note, StringComparison.Ordinal);
        Assert.Contains("Systeme:WebhookSecret", note, StringComparison.Ordinal);
        Assert.Null((await TenantAsync(ib.TenantId)).WebhookTokenHash);
    }

    [Fact]
    public async Task RotateWebhookToken_ShowsTheUrlOnce_StoresOnlyItsHash_AndTheOldUrlStopsWorking()
    {
        var ib = await App.SeedIbAsync("rotate@hook.test", "Rotate Hook IB", "clicker@example.com");
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);

        var first = await RotateAsync(client);
        Assert.Equal(ApiKey.Hash(first), (await TenantAsync(ib.TenantId)).WebhookTokenHash);
        Assert.NotEqual(first, (await TenantAsync(ib.TenantId)).WebhookTokenHash);
        Assert.Equal(HttpStatusCode.Accepted, await PostClickAsync(first, "clicker@example.com"));

        var page = await client.GetDocumentAsync("/Settings");
        Assert.Equal("Replace my webhook URL", page.QuerySelector("[data-testid=systeme-webhook] form[action*=RotateWebhookToken] button")?.TextContent);
        Assert.NotNull(page.QuerySelector("[data-testid=webhook-url-hidden]"));
        Assert.DoesNotContain(first, page.DocumentElement.OuterHtml, StringComparison.Ordinal);

        var second = await RotateAsync(client);
        Assert.NotEqual(first, second);
        Assert.Equal(ApiKey.Hash(second), (await TenantAsync(ib.TenantId)).WebhookTokenHash);
        Assert.Equal(HttpStatusCode.Unauthorized, await PostClickAsync(first, "clicker@example.com"));
        Assert.Equal(HttpStatusCode.Accepted, await PostClickAsync(second, "clicker@example.com"));

        using (var settings = await client.Http.GetAsync("/Settings", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
            var html = await settings.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.DoesNotContain(second, html, StringComparison.Ordinal);
            Assert.DoesNotContain(first, html, StringComparison.Ordinal);
            Assert.DoesNotContain("data-testid=\"webhook-url\"", html, StringComparison.Ordinal);
        }

        await using var scope = App.Services.CreateAsyncScope();
        var audit = await scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>().AuditEntries
            .Where(a => a.TenantId == ib.TenantId && a.Action == "tenant.webhook-token.rotated").ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(2, audit.Count);
        Assert.All(audit, a => Assert.NotNull(a.ActorUserId));
    }

    /// <summary>Posts the rotation form; the answer is the page itself (no redirect, not cached) with the URL and its two variants.</summary>
    private static async Task<string> RotateAsync(PageClient client)
    {
        using var rotated = await client.SubmitFormAsync("/Settings", new Dictionary<string, string>(), "form[action*=RotateWebhookToken]");
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        Assert.True(rotated.Headers.CacheControl?.NoStore, "the response with the token is not cached");

        var page = await PageClient.ParseAsync(rotated);
        var url = page.QuerySelector("[data-testid=systeme-webhook] [data-testid=webhook-url]")?.TextContent;
        Assert.NotNull(url);
        Assert.StartsWith(UrlPrefix, url, StringComparison.Ordinal);
        var token = url[UrlPrefix.Length..];
        Assert.Matches("^[a-z0-9]{40}$", token);
        Assert.Equal($"{url}?event=clicked&template=<your template name>", page.QuerySelector("[data-testid=webhook-url-clicked]")?.TextContent);
        Assert.Equal($"{url}?event=opened&template=<your template name>", page.QuerySelector("[data-testid=webhook-url-opened]")?.TextContent);
        return token;
    }

    /// <summary>What a Systeme.io workflow "send webhook" action posts to the URL shown on /Settings.</summary>
    private async Task<HttpStatusCode> PostClickAsync(string token, string email)
    {
        var url = new Uri($"{UrlPrefix}{token}?event=clicked&template=Welcome");
        using var content = new StringContent("""{"data":{"contact":{"email":"EMAIL"}}}""".Replace("EMAIL", email, StringComparison.Ordinal), Encoding.UTF8, "application/json");
        using var http = App.CreateClient();
        using var response = await http.PostAsync(url.PathAndQuery, content, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    private async Task<Tenant> TenantAsync(Guid tenantId)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>().Tenants.AsNoTracking().SingleAsync(t => t.Id == tenantId, TestContext.Current.CancellationToken);
    }
}
