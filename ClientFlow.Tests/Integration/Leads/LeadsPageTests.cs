using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Leads;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Leads;

/// <summary>/Leads (stats, search, filters, paging, manual add), /Leads/{id}, API key rotation on /Settings, the admin's lead limit.</summary>
public sealed class LeadsPageTests(OfflineCaptureApp fixture) : IClassFixture<OfflineCaptureApp>
{
    [Fact]
    public async Task Leads_PagesSearchesAndFilters_AndCountsStats()
    {
        var ib = await fixture.App.SeedIbAsync("pages@ib.test", "Pages IB");
        await using (var scope = fixture.App.Services.CreateAsyncScope())
        {
            var capture = scope.ServiceProvider.GetRequiredService<LeadCapture>();
            var inputs = Enumerable.Range(0, 30).Select(i => new LeadInput
            {
                Email = $"p{i:00}@example.com",
                Name = i == 7 ? "Zelda Quartz" : $"Person {i}",
                IbType = i % 2 == 0 ? "forex-ib" : "crypto-affiliate",
            }).ToList();
            await capture.CaptureValidAsync(ib.TenantId, inputs, LeadSource.Manual, syncNow: false, TestContext.Current.CancellationToken);
        }

        await fixture.App.AsTenantAsync(ib.TenantId, async db =>
        {
            var converted = await db.Leads.Include(l => l.Tags).Where(l => l.Email == "p03@example.com" || l.Email == "p04@example.com").ToListAsync(TestContext.Current.CancellationToken);
            foreach (var lead in converted)
            {
                lead.Status = LeadStatus.Converted;
                lead.Tags.Add(new LeadTag { Slug = CaptureTags.Converted });
            }

            return await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        });

        using var client = fixture.App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);

        var first = await client.GetDocumentAsync("/Leads");
        Assert.Equal("30", first.QuerySelector("[data-testid=stat-total]")?.TextContent);
        Assert.Equal("2", first.QuerySelector("[data-testid=stat-converted]")?.TextContent);
        Assert.Equal(IndexPageSize, first.QuerySelectorAll("[data-testid=lead-row]").Length);
        var older = first.QuerySelector("[data-testid=page-older]")!.GetAttribute("href")!;
        var second = await client.GetDocumentAsync(older);
        Assert.Equal(30 - IndexPageSize, second.QuerySelectorAll("[data-testid=lead-row]").Length);
        Assert.Empty(Emails(first).Intersect(Emails(second)));
        Assert.Equal(Emails(first), Emails(await client.GetDocumentAsync(second.QuerySelector("[data-testid=page-newer]")!.GetAttribute("href")!)));

        Assert.Equal(["p07@example.com"], Emails(await client.GetDocumentAsync("/Leads?q=zelda")));
        Assert.Equal(["p12@example.com"], Emails(await client.GetDocumentAsync("/Leads?q=P12@")));
        Assert.Equal(["p03@example.com", "p04@example.com"], Emails(await client.GetDocumentAsync("/Leads?status=Converted")).Order());
        var crypto = Emails(await client.GetDocumentAsync("/Leads?tag=crypto-affiliate"));
        Assert.Equal(15, crypto.Count);
        Assert.All(crypto, e => Assert.Equal(1, int.Parse(e[1..3], System.Globalization.CultureInfo.InvariantCulture) % 2));
        Assert.Equal("15 matching", (await client.GetDocumentAsync("/Leads?tag=forex-ib")).QuerySelector("[data-testid=matching-count]")?.TextContent);
    }

    [Fact]
    public async Task AddLead_ByHand_CapturesIt_AndBadInputShowsFieldErrors()
    {
        var ib = await fixture.App.SeedIbAsync("manual@ib.test", "Manual IB");
        using var client = fixture.App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);

        using var bad = await client.SubmitFormAsync("/Leads", new Dictionary<string, string> { ["Input.Email"] = "nope", ["Input.IbType"] = "Not A Slug" }, "form[action*='Add']");
        var page = await PageClient.ParseAsync(bad);
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(page.QuerySelector("[data-valmsg-for='Input.Email']")?.TextContent));
        Assert.False(string.IsNullOrWhiteSpace(page.QuerySelector("[data-valmsg-for='Input.IbType']")?.TextContent));

        using var good = await client.SubmitFormAsync("/Leads", new Dictionary<string, string> { ["Input.Email"] = "byhand@example.com", ["Input.IbType"] = "cfd-partner" }, "form[action*='Add']");
        Assert.Equal(HttpStatusCode.Redirect, good.StatusCode);
        var details = await client.GetDocumentAsync(good.Headers.Location!.OriginalString);
        Assert.Equal("byhand@example.com", details.QuerySelector("[data-testid=lead-email]")?.TextContent);
        Assert.Equal(["cfd-partner", "demo-request"], details.QuerySelectorAll("[data-testid=lead-tag]").Select(t => t.GetAttribute("data-slug")).Order());
        Assert.Equal("NotSynced", details.QuerySelector("[data-testid=sync-state]")?.GetAttribute("data-state"));
    }

    [Fact]
    public async Task Settings_RotatesTheApiKey_ShowingTheNewKeyOnce_AndTheOldOneStopsWorking()
    {
        var ib = await fixture.App.SeedIbAsync("rotate@ib.test", "Rotate IB");
        using var client = fixture.App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);
        Assert.Null((await client.GetDocumentAsync("/Settings")).QuerySelector("[data-testid=api-key]"));

        using var rotated = await client.SubmitFormAsync("/Settings", new Dictionary<string, string>(), "form[action*='RotateApiKey']");
        var newKey = (await PageClient.ParseAsync(rotated)).QuerySelector("[data-testid=api-key]")?.TextContent;

        Assert.NotNull(newKey);
        Assert.StartsWith("cf_", newKey, StringComparison.Ordinal);
        Assert.Null((await client.GetDocumentAsync("/Settings")).QuerySelector("[data-testid=api-key]"));
        Assert.Equal(HttpStatusCode.Unauthorized, await CaptureStatusAsync(ib.ApiKey));
        Assert.Equal(HttpStatusCode.Created, await CaptureStatusAsync(newKey));
        await using var scope = fixture.App.Services.CreateAsyncScope();
        var tenant = await scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>().Tenants.SingleAsync(t => t.Id == ib.TenantId, TestContext.Current.CancellationToken);
        Assert.NotEqual(newKey, tenant.ApiKeyHash);
    }

    [Fact]
    public async Task AdminTenants_ChangesALeadLimit_WithAnAuditEntry_AndRefusesNonsense()
    {
        var ib = await fixture.App.SeedIbAsync("admin-limit@ib.test", "Admin Limit IB");
        using var admin = fixture.App.CreatePageClient();
        await admin.LogInOrFailAsync(ClientFlowAppFactory.AdminEmail);
        var form = $"[data-prefix='{ib.TagPrefix}'] form";

        using var bad = await admin.SubmitFormAsync("/Admin/Tenants", new Dictionary<string, string> { ["maxLeads"] = "-5" }, form);
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        Assert.Contains("whole number", (await PageClient.ParseAsync(bad)).QuerySelector("[data-valmsg-for=maxLeads]")?.TextContent, StringComparison.Ordinal);

        using var good = await admin.SubmitFormAsync("/Admin/Tenants", new Dictionary<string, string> { ["maxLeads"] = "2500" }, form);
        Assert.Equal(HttpStatusCode.Redirect, good.StatusCode);
        var page = await admin.GetDocumentAsync("/Admin/Tenants");
        Assert.Equal("2500", page.QuerySelector($"[data-prefix='{ib.TagPrefix}'] [data-testid=tenant-max-leads]")?.GetAttribute("value"));

        await using var scope = fixture.App.Services.CreateAsyncScope();
        var audit = await scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>().AuditEntries
            .SingleAsync(a => a.TenantId == ib.TenantId && a.Action == "admin.tenant.max-leads", TestContext.Current.CancellationToken);
        Assert.Equal("1000 -> 2500", audit.Detail);

        using var asIb = fixture.App.CreatePageClient();
        await asIb.LogInOrFailAsync(ib.Email);
        using var refused = await asIb.Http.PostAsync("/Admin/Tenants?handler=MaxLeads", new FormUrlEncodedContent(new Dictionary<string, string> { ["tenantId"] = ib.TenantId.ToString(), ["maxLeads"] = "999999" }), TestContext.Current.CancellationToken);
        Assert.NotEqual(HttpStatusCode.Redirect, refused.StatusCode);
    }

    private const int IndexPageSize = ClientFlow.Web.Pages.Leads.IndexModel.PageSize;

    private static List<string> Emails(AngleSharp.Dom.IDocument page) =>
        page.QuerySelectorAll("[data-testid=lead-row] a").Select(a => a.TextContent).ToList();

    private async Task<HttpStatusCode> CaptureStatusAsync(string key)
    {
        using var client = fixture.App.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/leads") { Content = new StringContent(JsonSerializer.Serialize(new { email = $"{Guid.NewGuid():N}@example.com" }), Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Api-Key", key);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }
}

/// <summary><c>Capture:Policy=Exclusive</c>: the second IB to capture an email is refused, with a clear message, and nothing is stored.</summary>
public sealed class ExclusivePolicyTests : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();
    private ClientFlowAppFactory _app = null!;

    public async ValueTask InitializeAsync()
    {
        _app = new ClientFlowAppFactory(_database, settings: new Dictionary<string, string?> { ["Capture:Policy"] = "Exclusive" });
        await _app.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task SecondIb_IsRefused_OnTheApiAndTheForm_WhileTheFirstKeepsCapturing()
    {
        var john = await _app.SeedIbAsync("john@exclusive.test", "John");
        var sarah = await _app.SeedIbAsync("sarah@exclusive.test", "Sarah");
        using var client = _app.CreateClient();

        using var first = await PostAsync(client, john.ApiKey, "taken@example.com");
        using var second = await PostAsync(client, sarah.ApiKey, "TAKEN@example.com");
        using var again = await PostAsync(client, john.ApiKey, "taken@example.com");
        using var page = _app.CreatePageClient();
        using var form = await page.SubmitFormAsync($"/f/{sarah.FormKey}", new Dictionary<string, string> { ["Input.Email"] = "taken@example.com" });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        Assert.Contains("already registered with another IB", (await second.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("already registered with another IB", (await PageClient.ParseAsync(form)).QuerySelector("[role=alert]")?.TextContent, StringComparison.Ordinal);
        Assert.Empty(await _app.LeadsOfAsync(sarah.TenantId));
        Assert.Single(await _app.LeadsOfAsync(john.TenantId));
    }

    [Fact]
    public async Task TwoIbs_RacingForOneEmail_OnlyOneWins()
    {
        var ibs = new List<SeededIb>();
        for (var i = 0; i < 4; i++)
        {
            ibs.Add(await _app.SeedIbAsync($"racer{i}@exclusive.test", $"Racer {i}"));
        }

        using var client = _app.CreateClient();
        var responses = await Task.WhenAll(ibs.Select(ib => PostAsync(client, ib.ApiKey, "contested@example.com")));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        var owners = 0;
        foreach (var ib in ibs)
        {
            owners += (await _app.LeadsOfAsync(ib.TenantId)).Count;
        }

        Assert.Equal(1, owners);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string key, string email)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/leads") { Content = new StringContent(JsonSerializer.Serialize(new { email }), Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Api-Key", key);
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
