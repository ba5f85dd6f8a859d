using ClientFlow.Automation.Data;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ClientFlow.Tests.Browser;

/// <summary>A real browser against the real app on a real port: sign up as an IB, land on Settings, see the prefix.</summary>
public sealed class RegisterBrowserTests : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();
    private ClientFlowAppFactory _app = null!;
    private IPlaywright _playwright = null!;
    private IBrowser? _browser;

    public async ValueTask InitializeAsync()
    {
        _app = new ClientFlowAppFactory(_database);
        _app.UseKestrel(0);
        _app.StartServer();
        _playwright = await Playwright.CreateAsync();
        _browser = await Chromium.LaunchAsync(_playwright);
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright.Dispose();
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task SignUp_ThroughTheUi_ShowsTheNewPrefixOnSettings()
    {
        var page = await _browser!.NewPageAsync(new BrowserNewPageOptions { BaseURL = _app.ClientOptions.BaseAddress.ToString() });

        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign up as an IB" }).ClickAsync();
        await page.GetByLabel("Your name or business").FillAsync("Browser Brokers");
        await page.GetByLabel("Email").FillAsync("browser@ib.test");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("Browser!Passw0rd");
        await page.GetByLabel("Confirm password").FillAsync("Browser!Passw0rd");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign up" }).ClickAsync();

        await page.WaitForURLAsync("**/Settings");
        var shown = await page.GetByTestId("tag-prefix").InnerTextAsync();

        Assert.Matches("^ib-[a-z0-9]{8}-$", shown);
        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>();
        var tenant = await db.Tenants.SingleAsync(t => t.Name == "Browser Brokers", TestContext.Current.CancellationToken);
        Assert.Equal(tenant.TagPrefix, shown);
        Assert.True(TagPrefix.IsValid(tenant.TagPrefix));
    }
}
