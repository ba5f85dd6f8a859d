using System.Net;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;

namespace ClientFlow.Tests.Integration;

public sealed class AccountApp : SqliteApp
{
    public TestLogSink Log { get; } = new();

    // These tests sign up more often than the per-address hourly allowance; SignUpRateLimitTests holds it.
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Accounts:SignUpsPerHour"] = "100" };

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<ILogEventSink>(Log);
}

/// <summary>Sign-up through Identity UI creates the tenant; bad input gets field errors; repeated bad passwords lock out.</summary>
public sealed class AccountTests(AccountApp app) : IClassFixture<AccountApp>
{
    [Fact]
    public async Task Register_CreatesTenantWithPrefix_AndSignsTheIbIn()
    {
        using var client = app.App.CreatePageClient();

        using var response = await RegisterAsync(client, "Jane's Forex Club", "jane@ib.test", "Jane!Passw0rd");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Settings", response.Headers.Location?.OriginalString);
        var settings = await client.GetDocumentAsync("/Settings");
        var shown = settings.QuerySelector("[data-testid=tag-prefix]")?.TextContent;
        Assert.True(TagPrefix.IsValid(shown), shown);

        await using var scope = app.App.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ClientFlowUser>>();
        var user = await users.FindByEmailAsync("jane@ib.test");
        Assert.NotNull(user);
        Assert.True(await users.IsInRoleAsync(user, Roles.Ib));
        var tenant = await scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>().Tenants
            .SingleAsync(t => t.Id == user.TenantId, TestContext.Current.CancellationToken);
        Assert.Equal((shown, "Jane's Forex Club"), (tenant.TagPrefix, tenant.Name));
    }

    [Fact]
    public async Task Register_WithATakenEmail_ShowsTheErrorOnTheField_AndCreatesNoTenant()
    {
        using (var first = app.App.CreatePageClient())
        {
            using var created = await RegisterAsync(first, "Taken", "taken@ib.test", "Taken!Passw0rd");
            Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        }

        var tenantsBefore = await CountTenantsAsync();
        using var client = app.App.CreatePageClient();
        using var response = await RegisterAsync(client, "Copycat", "taken@ib.test", "Other!Passw0rd");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await PageClient.ParseAsync(response);
        Assert.Contains("already taken", page.QuerySelector("[data-valmsg-for='Input.Email']")?.TextContent, StringComparison.Ordinal);
        Assert.Equal(tenantsBefore, await CountTenantsAsync());
    }

    [Fact]
    public async Task Register_WithBadInput_ShowsFieldErrors_AndCreatesNothing()
    {
        var tenantsBefore = await CountTenantsAsync();
        using var client = app.App.CreatePageClient();

        using var response = await RegisterAsync(client, "", "not-an-email", "short");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await PageClient.ParseAsync(response);
        foreach (var field in new[] { "Input.Name", "Input.Email", "Input.Password" })
        {
            Assert.False(string.IsNullOrWhiteSpace(page.QuerySelector($"[data-valmsg-for='{field}']")?.TextContent), $"{field} has no error message");
        }

        Assert.Equal(tenantsBefore, await CountTenantsAsync());
    }

    [Fact]
    public async Task Register_WithAWeakPassword_ShowsIdentitysRuleOnThePasswordField_AndRollsBackTheTenant()
    {
        var tenantsBefore = await CountTenantsAsync();
        using var client = app.App.CreatePageClient();

        using var response = await RegisterAsync(client, "Weak", "weak@ib.test", "alllowercase");

        var page = await PageClient.ParseAsync(response);
        Assert.Contains("uppercase", page.QuerySelector("[data-valmsg-for='Input.Password']")?.TextContent, StringComparison.Ordinal);
        Assert.Equal(tenantsBefore, await CountTenantsAsync());
    }

    [Fact]
    public async Task LogIn_LocksTheAccountOut_AfterFiveBadPasswords()
    {
        var ib = await app.App.SeedIbAsync("lockme@ib.test", "Lock Me");
        using var client = app.App.CreatePageClient();
        for (var i = 0; i < 5; i++)
        {
            using var bad = await client.LogInAsync(ib.Email, "Wrong!Passw0rd");
            Assert.NotEqual("/", bad.Headers.Location?.OriginalString);
        }

        using var good = await client.LogInAsync(ib.Email, ClientFlowAppFactory.Password);

        Assert.Equal(HttpStatusCode.Redirect, good.StatusCode);
        Assert.StartsWith("/Identity/Account/Lockout", good.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_NeverContainPasswords()
    {
        const string password = "Secret!Zebra42";
        using var client = app.App.CreatePageClient();
        using (await RegisterAsync(client, "Logged", "logged@ib.test", password))
        using (await client.LogInAsync("logged@ib.test", password + "x"))
        using (await client.LogInAsync("logged@ib.test", password))
        {
        }

        Assert.NotEmpty(app.Log.Events);
        Assert.DoesNotContain(app.Log.Lines, line => line.Contains("Secret!Zebra", StringComparison.Ordinal));
    }

    private static Task<HttpResponseMessage> RegisterAsync(PageClient client, string name, string email, string password) =>
        client.SubmitFormAsync("/Identity/Account/Register", new Dictionary<string, string>
        {
            ["Input.Name"] = name,
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = password,
        }, "form#registerForm");

    private async Task<int> CountTenantsAsync()
    {
        await using var scope = app.App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>().Tenants.CountAsync(TestContext.Current.CancellationToken);
    }
}
