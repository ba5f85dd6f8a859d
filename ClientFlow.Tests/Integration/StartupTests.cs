using System.Net;
using System.Text.Json;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration;

/// <summary>Start-up from nothing: migrations, the Development demo, health, and settings that stop start-up with a named error.</summary>
public sealed class StartupTests
{
    private static readonly Dictionary<string, string?> DefaultAdmin = new()
    {
        ["Admin:Email"] = "",
        ["Admin:Password"] = "",
    };

    [Fact]
    public async Task CleanDataFolder_InDevelopment_MigratesSeedsTheDemoOnce_AndServes()
    {
        await using var database = new SqliteTestDatabase(Path.Combine("App_Data", "clientflow.db"));
        var settings = new Dictionary<string, string?>(DefaultAdmin) { ["Demo:ApiKeys:John"] = "cf_fixed_demo_key_for_john" };

        await using (var app = new ClientFlowAppFactory(database, "Development", settings))
        {
            await app.StartAsync();
            using var client = app.CreatePageClient();

            using var health = await client.Http.GetAsync("/healthz", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            using var report = JsonDocument.Parse(await health.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.Equal("Healthy", report.RootElement.GetProperty("status").GetString());
            Assert.Equal("Healthy", report.RootElement.GetProperty("checks").GetProperty("database").GetString());

            var login = await client.GetDocumentAsync("/Identity/Account/Login");
            Assert.NotNull(login.QuerySelector("form#account input[name='Input.Password']"));

            await client.LogInOrFailAsync("john@clientflow.test", "ClientFlow!2026");
            Assert.Equal(4, (await client.GetDocumentAsync("/Leads")).QuerySelectorAll("[data-testid=lead-row]").Length);

            // The seed notes' workflows, published and ON; John's demo leads are already in his Welcome Sequence.
            var workflows = await client.GetDocumentAsync("/Workflows");
            Assert.Equal(["High-Value Lead Alert", "VIP Lead Alert", "Welcome Sequence"], workflows.QuerySelectorAll("[data-testid=workflow-card] h2").Select(h => h.TextContent.Trim()).Order());
            Assert.All(workflows.QuerySelectorAll("[data-testid=workflow-toggle]"), t => Assert.Equal("ON", t.TextContent.Trim()));
            Assert.Contains("If opened \"Welcome - John's Forex Program\"", workflows.Body?.TextContent, StringComparison.Ordinal);

            using var admin = app.CreatePageClient();
            await admin.LogInOrFailAsync("admin@clientflow.test", "ClientFlow!2026");
            Assert.Equal(4, (await admin.GetDocumentAsync("/Admin/Tenants")).QuerySelectorAll("[data-testid=tenant-row]").Length);

            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>();
            var john = await db.Tenants.SingleAsync(t => t.Name == "John's Forex Academy", TestContext.Current.CancellationToken);
            Assert.Equal(ApiKey.Hash("cf_fixed_demo_key_for_john"), john.ApiKeyHash);
            Assert.True(File.Exists(Path.Combine(database.Folder, "App_Data", "clientflow.db")));
        }

        await using (var restarted = new ClientFlowAppFactory(database, "Development", settings))
        {
            await restarted.StartAsync();
            await using var scope = restarted.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>();
            Assert.Equal(4, await db.Tenants.CountAsync(TestContext.Current.CancellationToken));
            Assert.Equal(11, await db.Leads.IgnoreQueryFilters().CountAsync(TestContext.Current.CancellationToken));
            var pack = await db.Tenants.SingleAsync(t => t.IsStarterPack, TestContext.Current.CancellationToken);
            var workflows = await db.Workflows.IgnoreQueryFilters().Where(w => w.TenantId != pack.Id).ToListAsync(TestContext.Current.CancellationToken);
            Assert.Equal(
                ["CFD Onboarding", "Crypto Quick Start", "Crypto Welcome", "High-Value", "High-Value Lead Alert", "Re-engagement", "VIP Lead Alert", "VIP Treatment", "Welcome Sequence"],
                workflows.Select(w => w.Name).Order(StringComparer.Ordinal));
            Assert.All(workflows, w => Assert.True(w.PublishedVersionNumber == 1 && w.IsOn == (w.Name != "VIP Treatment"), $"{w.Name} is published once, and ON unless it is the guide's VIP Treatment"));
            Assert.Equal(12, await db.EmailTemplates.IgnoreQueryFilters().CountAsync(t => t.TenantId != pack.Id, TestContext.Current.CancellationToken));

            // Every demo lead (each has demo-request) is in its IB's welcome workflows (Sarah's two, as her two notes have them).
            var welcomes = workflows.Where(w => w.Name is "Welcome Sequence" or "Crypto Welcome" or "Crypto Quick Start" or "CFD Onboarding").Select(w => w.Id).ToList();
            Assert.Equal(15, await db.WorkflowRuns.IgnoreQueryFilters().CountAsync(r => welcomes.Contains(r.WorkflowId), TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public async Task Production_SeedsNoDemo_AndCreatesTheConfiguredAdmin()
    {
        await using var database = new SqliteTestDatabase();
        await using var app = new ClientFlowAppFactory(database, "Production");
        await app.StartAsync();

        using var client = app.CreatePageClient();
        await client.LogInOrFailAsync(ClientFlowAppFactory.AdminEmail);
        var tenants = await client.GetDocumentAsync("/Admin/Tenants");

        Assert.Empty(tenants.QuerySelectorAll("[data-testid=tenant-row]"));
        using var demo = await client.LogInAsync("john@clientflow.test", "ClientFlow!2026");
        Assert.Equal(HttpStatusCode.OK, demo.StatusCode);
    }

    [Theory]
    [InlineData("Database:Provider", "Postgres", "ConnectionStrings:Postgres")]
    [InlineData("Database:Provider", "Oracle", "Database:Provider")]
    [InlineData("Admin:Password", "", "Admin:Password")]
    [InlineData("Metrics:ScrapeToken", "too-short-to-be-secret", "Metrics:ScrapeToken")]
    public async Task BadSetting_StopsStartUp_WithAMessageNamingIt(string key, string value, string named)
    {
        await using var database = new SqliteTestDatabase();
        await using var app = new ClientFlowAppFactory(database, "Production", new Dictionary<string, string?>
        {
            [key] = value,
            ["ConnectionStrings:Postgres"] = "",
        });

        var error = Assert.ThrowsAny<Exception>(() => app.Services);

        Assert.Contains(named, error.ToString(), StringComparison.Ordinal);
    }
}
