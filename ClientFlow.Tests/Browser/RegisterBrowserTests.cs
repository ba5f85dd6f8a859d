using ClientFlow.Automation.Data;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ClientFlow.Tests.Browser;

/// <summary>A real browser against the real app on a real port: sign up as an IB, land on Settings, see the prefix.</summary>
public sealed class RegisterBrowserTests : BrowserApp
{
    [Fact]
    public async Task SignUp_ThroughTheUi_ShowsTheNewPrefixOnSettings()
    {
        var page = await NewPageAsync();

        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign up as an IB" }).ClickAsync();
        await page.GetByLabel("Your name or business").FillAsync("Browser Brokers");
        await page.GetByLabel("Email").FillAsync("browser@ib.test");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("Browser!Passw0rd");
        await page.GetByLabel("Confirm password").FillAsync("Browser!Passw0rd");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign up" }).ClickAsync();

        await page.WaitForURLAsync("**/Settings", DocumentReady);
        var shown = await page.GetByTestId("tag-prefix").InnerTextAsync();

        Assert.Matches("^ib-[a-z0-9]{8}-$", shown);
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>();
        var tenant = await db.Tenants.SingleAsync(t => t.Name == "Browser Brokers", TestContext.Current.CancellationToken);
        Assert.Equal(tenant.TagPrefix, shown);
        Assert.True(TagPrefix.IsValid(tenant.TagPrefix));
    }
}
