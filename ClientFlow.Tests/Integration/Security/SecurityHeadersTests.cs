using System.Net;
using AngleSharp.Dom;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;

namespace ClientFlow.Tests.Integration.Security;

public sealed class SecurityHeadersApp : SqliteApp;

/// <summary>
/// Every page runs under a content security policy with no inline script or style and cannot be framed, and keeps to
/// it (no inline script, event handler or style attribute in its HTML); what other sites embed (the hosted form, the
/// open pixel) may be framed or loaded anywhere; over plain HTTP there is no HSTS.
/// </summary>
public sealed class SecurityHeadersTests(SecurityHeadersApp fixture) : IClassFixture<SecurityHeadersApp>
{
    private ClientFlowAppFactory App => fixture.App;

    [Fact]
    public async Task EveryPage_RunsUnderThePagePolicy_AndKeepsToIt()
    {
        var ib = await App.SeedIbAsync("csp@security.test", "Csp IB", "csp-lead@example.com");
        var template = await App.CreateTemplateAsync(ib.TenantId, "Welcome", "Welcome", "<p style=\"color: red\">Hi</p>");
        var workflow = await App.PublishWorkflowAsync(ib.TenantId, "Welcome", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new SendEmailStep(template.Id)]);
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);
        using var admin = App.CreatePageClient();
        await admin.LogInOrFailAsync(ClientFlowAppFactory.AdminEmail);
        using var stranger = App.CreatePageClient();

        var pages = new (PageClient Client, string Url)[]
        {
            (client, "/"), (client, "/Leads"), (client, $"/Leads/{ib.LeadIds[0]}"), (client, "/Templates"), (client, $"/Templates/{template.Id}"),
            (client, "/Templates/new"), (client, "/Workflows"), (client, $"/Workflows/{workflow}"), (client, "/Outbox"), (client, "/Settings"),
            (client, "/Conversions"), (client, "/Conversions/Report"),
            (client, "/Identity/Account/Manage"),
            (admin, "/Admin/Tenants"), (admin, $"/Admin/Tenants/{ib.TenantId}"), (admin, "/Admin/Audit"), (admin, "/Admin/DeadLetters"), (admin, "/Admin/Inbox"),
            (stranger, "/Identity/Account/Login"), (stranger, "/Identity/Account/Register"),
        };
        foreach (var (pageClient, url) in pages)
        {
            using var response = await pageClient.Http.GetAsync(url, TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {response.StatusCode}");
            var csp = SecurityPolicy.Of(response);
            Assert.Equal(["'self'"], csp["script-src"]);
            Assert.Equal(["'self'"], csp["style-src"]);
            Assert.Equal(["'none'"], csp["frame-ancestors"]);
            Assert.Equal(["'none'"], csp["object-src"]);
            Assert.Equal(["'self'"], csp["form-action"]);
            AssertCommonHeaders(response);
            Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));

            // What the policy would block is not on the page: it would silently stop working in a browser.
            var document = await PageClient.ParseAsync(response);
            Assert.True(document.QuerySelectorAll("script:not([src])").Length == 0, $"{url} has an inline script");
            var inline = document.All.SelectMany(e => e.Attributes.Select(a => (Element: e, a.Name)))
                .Where(x => x.Name == "style" || x.Name.StartsWith("on", StringComparison.Ordinal))
                .Select(x => x.Element.OuterHtml[..Math.Min(120, x.Element.OuterHtml.Length)]).ToList();
            Assert.True(inline.Count == 0, $"{url} has inline {string.Join(", ", inline)}");
        }

        // The jobs dashboard draws with inline styles (Hangfire's own), so it alone allows them; never inline script.
        using var dashboard = await admin.Http.GetAsync("/hangfire", TestContext.Current.CancellationToken);
        var dashboardPolicy = SecurityPolicy.Of(dashboard);
        Assert.Equal(["'self'"], dashboardPolicy["script-src"]);
        Assert.Equal(["'self'", "'unsafe-inline'"], dashboardPolicy["style-src"]);
        Assert.Equal(["'none'"], dashboardPolicy["frame-ancestors"]);
    }

    [Fact]
    public async Task TheHostedForm_AndTheOpenPixel_MayBeEmbeddedAnywhere()
    {
        var ib = await App.SeedIbAsync("embed@security.test", "Embed IB");
        using var client = App.CreatePageClient();

        using var form = await client.Http.GetAsync($"/f/{ib.FormKey}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        var csp = SecurityPolicy.Of(form);
        Assert.Equal(["*"], csp["frame-ancestors"]);
        Assert.Equal(["'self'"], csp["script-src"]);
        Assert.False(form.Headers.Contains("X-Frame-Options"), "the hosted form goes in a frame on the IB's own site");
        Assert.Equal("cross-origin", Assert.Single(form.Headers.GetValues("Cross-Origin-Resource-Policy")));
        AssertCommonHeaders(form);

        using var pixel = await client.Http.GetAsync("/t/o/no-such-token", TestContext.Current.CancellationToken);
        Assert.Equal("cross-origin", Assert.Single(pixel.Headers.GetValues("Cross-Origin-Resource-Policy")));

        // Everything else stays on this site.
        using var login = await client.Http.GetAsync("/Identity/Account/Login", TestContext.Current.CancellationToken);
        Assert.Equal("same-origin", Assert.Single(login.Headers.GetValues("Cross-Origin-Resource-Policy")));
    }

    private static void AssertCommonHeaders(HttpResponseMessage response)
    {
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("strict-origin-when-cross-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        var permissions = Assert.Single(response.Headers.GetValues("Permissions-Policy"));
        Assert.Contains("camera=()", permissions, StringComparison.Ordinal);
        Assert.Contains("geolocation=()", permissions, StringComparison.Ordinal);

        // HSTS only over HTTPS; plain HTTP here (the HTTPS case is in ProxyHeadersTests).
        Assert.False(response.Headers.Contains("Strict-Transport-Security"), "no HSTS over plain HTTP");
    }
}
