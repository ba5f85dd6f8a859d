using System.Net;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Isolation;

/// <summary>The real app with three IBs and an admin on one database (SQLite or PostgreSQL).</summary>
public sealed class ThreeIbApp<TDatabase> : IAsyncLifetime
    where TDatabase : TestDatabase, new()
{
    private readonly TDatabase _database = new();

    public ClientFlowAppFactory App { get; private set; } = null!;

    public SeededIb John { get; private set; } = null!;

    public SeededIb Sarah { get; private set; } = null!;

    public SeededIb Mike { get; private set; } = null!;

    public IEnumerable<SeededIb> Ibs => [John, Sarah, Mike];

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        App = new ClientFlowAppFactory(_database);
        await App.StartAsync();
        John = await App.SeedIbAsync("john@ib.test", "John", "shared@example.com", "john1@example.com", "john2@example.com");
        Sarah = await App.SeedIbAsync("sarah@ib.test", "Sarah", "shared@example.com", "sarah1@example.com");
        Mike = await App.SeedIbAsync("mike@ib.test", "Mike", "shared@example.com", "mike1@example.com", "mike2@example.com", "mike3@example.com");
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await _database.DisposeAsync();
    }
}

/// <summary>Isolation over HTTP: pages show only the signed-in IB's rows; another tenant's id is 404; admin areas are hidden.</summary>
public abstract class HttpIsolationTests<TDatabase>(ThreeIbApp<TDatabase> app)
    where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task Leads_ListsOnlyOwnLeads_ForEachIb()
    {
        foreach (var ib in app.Ibs)
        {
            using var client = app.App.CreatePageClient();
            await client.LogInOrFailAsync(ib.Email);

            var page = await client.GetDocumentAsync("/Leads");
            var links = page.QuerySelectorAll("[data-testid=lead-row] a").Select(a => a.GetAttribute("href")).ToList();

            Assert.Equal(ib.LeadIds.Select(id => $"/Leads/{id}").Order(), links.Order());
        }
    }

    [Fact]
    public async Task LeadDetails_ShowsOwnLead_And404sAnotherTenantsLead()
    {
        using var client = app.App.CreatePageClient();
        await client.LogInOrFailAsync(app.John.Email);

        var own = await client.GetDocumentAsync($"/Leads/{app.John.LeadIds[1]}");
        Assert.Equal("john1@example.com", own.QuerySelector("[data-testid=lead-email]")?.TextContent);

        foreach (var otherId in app.Sarah.LeadIds.Concat(app.Mike.LeadIds))
        {
            using var response = await client.Http.GetAsync($"/Leads/{otherId}", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    [Fact]
    public async Task Settings_ShowsTheIbsOwnPrefix()
    {
        foreach (var ib in app.Ibs)
        {
            using var client = app.App.CreatePageClient();
            await client.LogInOrFailAsync(ib.Email);

            var page = await client.GetDocumentAsync("/Settings");

            Assert.Equal(ib.TagPrefix, page.QuerySelector("[data-testid=tag-prefix]")?.TextContent);
        }
    }

    [Fact]
    public async Task AdminTenants_ListsEveryIbWithLeadCounts_ForTheAdmin()
    {
        using var client = app.App.CreatePageClient();
        await client.LogInOrFailAsync(ClientFlowAppFactory.AdminEmail);

        var page = await client.GetDocumentAsync("/Admin/Tenants");

        foreach (var ib in app.Ibs)
        {
            var row = page.QuerySelector($"[data-testid=tenant-row][data-prefix='{ib.TagPrefix}']");
            Assert.NotNull(row);
            Assert.Equal(ib.LeadIds.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), row.QuerySelector("[data-testid=tenant-lead-count]")?.TextContent);
            Assert.Contains(ib.Email, row.TextContent, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/Admin/Tenants")]
    [InlineData("/hangfire")]
    public async Task AdminArea_Is404ForAnIb_AndLoginForAnonymous(string url)
    {
        using var ib = app.App.CreatePageClient();
        await ib.LogInOrFailAsync(app.Mike.Email);
        using var asIb = await ib.Http.GetAsync(url, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, asIb.StatusCode);

        using var anonymous = app.App.CreatePageClient();
        using var asAnonymous = await anonymous.Http.GetAsync(url, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, asAnonymous.StatusCode);
        Assert.StartsWith("/Identity/Account/Login", asAnonymous.Headers.Location?.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HangfireDashboard_OpensForTheAdmin()
    {
        using var client = app.App.CreatePageClient();
        await client.LogInOrFailAsync(ClientFlowAppFactory.AdminEmail);

        using var response = await client.Http.GetAsync("/hangfire", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("ClientFlow jobs", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminTroubleshooting_ShowsExactlyOneIbsRows_AndAuditsEachView()
    {
        // John's copy of the shared lead gets a tag through the tag layer, as a workflow or Systeme.io would give it.
        await using (var scope = app.App.Services.CreateAsyncScope())
        using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(app.John.TenantId))
        {
            var db = scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>();
            var shared = await db.Leads.Include(l => l.Tags).SingleAsync(l => l.Id == app.John.LeadIds[0], TestContext.Current.CancellationToken);
            await scope.ServiceProvider.GetRequiredService<ClientFlow.Automation.Leads.LeadTagging>().AddAsync(shared, ["vip"], TestContext.Current.CancellationToken);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        using var admin = app.App.CreatePageClient();
        await admin.LogInOrFailAsync(ClientFlowAppFactory.AdminEmail);

        // From the tenant list to John: his three leads (the shared email is his own row), no one else's.
        var tenants = await admin.GetDocumentAsync("/Admin/Tenants");
        var link = tenants.QuerySelector($"[data-testid=tenant-row][data-prefix='{app.John.TagPrefix}'] [data-testid=tenant-link]")?.GetAttribute("href");
        Assert.Equal($"/Admin/Tenants/{app.John.TenantId}", link);
        var overview = await admin.GetDocumentAsync(link!);
        var emails = overview.QuerySelectorAll("[data-testid=admin-lead-row] td:first-child").Select(td => td.TextContent.Trim()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["john1@example.com", "john2@example.com", "shared@example.com"], emails);
        Assert.Contains(app.John.TagPrefix, overview.QuerySelector("[data-testid=tenant-setup]")?.TextContent, StringComparison.Ordinal);

        // The shared lead's timeline is John's: captured, with his tags.
        var leadLink = overview.QuerySelectorAll("[data-testid=admin-lead-row] a").Single(a => a.TextContent == "shared@example.com").GetAttribute("href");
        Assert.Equal($"/Admin/Tenants/{app.John.TenantId}/Leads/{app.John.LeadIds[0]}", leadLink);
        var timeline = await admin.GetDocumentAsync(leadLink!);
        var entries = timeline.QuerySelectorAll("[data-testid=timeline-entry]");
        Assert.Equal("captured", entries[0].GetAttribute("data-kind"));
        Assert.Contains(entries, e => e.GetAttribute("data-kind") == "tag" && e.TextContent.Contains($"{app.John.TagPrefix}vip", StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.TextContent.Contains(app.Sarah.TagPrefix, StringComparison.Ordinal));

        // Sarah's lead under John's address is no lead of John's.
        using (var crossed = await admin.Http.GetAsync($"/Admin/Tenants/{app.John.TenantId}/Leads/{app.Sarah.LeadIds[0]}", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.NotFound, crossed.StatusCode);
        }

        // Both views are in the audit trail, with the IB and the lead.
        var audit = await admin.GetDocumentAsync("/Admin/Audit");
        var rows = audit.QuerySelectorAll("[data-testid=audit-row]");
        Assert.Contains(rows, r => r.GetAttribute("data-action") == "admin.tenant.view" && r.TextContent.Contains("John", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.GetAttribute("data-action") == "admin.lead.view" && r.QuerySelector("[data-testid=audit-detail]")!.TextContent == $"lead {app.John.LeadIds[0]}");
    }

    [Fact]
    public async Task AdminTroubleshooting_Is404ForAnIb_EvenForItsOwnRows()
    {
        using var ib = app.App.CreatePageClient();
        await ib.LogInOrFailAsync(app.Mike.Email);
        foreach (var url in new[] { $"/Admin/Tenants/{app.Mike.TenantId}", $"/Admin/Tenants/{app.Mike.TenantId}/Leads/{app.Mike.LeadIds[0]}", "/Admin/Audit" })
        {
            using var response = await ib.Http.GetAsync(url, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    [Fact]
    public async Task Inspecting_AnIb_RefusesEveryWrite()
    {
        await using var scope = app.App.Services.CreateAsyncScope();
        var tenantScope = scope.ServiceProvider.GetRequiredService<TenantScope>();
        var db = scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>();
        using (tenantScope.Inspect(app.John.TenantId))
        {
            var lead = await db.Leads.SingleAsync(l => l.Id == app.John.LeadIds[1], TestContext.Current.CancellationToken);
            lead.Name = "Changed while looking";
            await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync(TestContext.Current.CancellationToken));
        }

        db.ChangeTracker.Clear();
        using (tenantScope.Enter(app.John.TenantId))
        {
            Assert.NotEqual("Changed while looking", (await db.Leads.AsNoTracking().SingleAsync(l => l.Id == app.John.LeadIds[1], TestContext.Current.CancellationToken)).Name);
        }
    }

    [Fact]
    public async Task IbPages_AreClosedToTheAdmin()
    {
        using var client = app.App.CreatePageClient();
        await client.LogInOrFailAsync(ClientFlowAppFactory.AdminEmail);

        using var response = await client.Http.GetAsync($"/Leads/{app.John.LeadIds[0]}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}

public sealed class SqliteHttpIsolationTests(ThreeIbApp<SqliteTestDatabase> app)
    : HttpIsolationTests<SqliteTestDatabase>(app), IClassFixture<ThreeIbApp<SqliteTestDatabase>>;
