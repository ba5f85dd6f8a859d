using System.Net;
using ClientFlow.Tests.Infrastructure;

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
