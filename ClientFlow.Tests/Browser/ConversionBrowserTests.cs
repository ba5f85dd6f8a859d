using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using Microsoft.Playwright;

namespace ClientFlow.Tests.Browser;

/// <summary>
/// From an email's referral link to a funded lead on the dashboard, in a real browser: the IB connects a broker on
/// /Conversions, a lead captured on the hosted form gets the email, clicks its referral link and lands on the broker with
/// its ref, the broker's platform calls the postback URL the page gave (its macros filled in), CONVERT counts one, and the
/// conversion report's chart shows the week's FTD.
/// </summary>
public sealed class ConversionBrowserTests : BrowserApp
{
    [Fact]
    public async Task EmailClick_ToBrokerSignUp_ToFtd_ShowsOnTheDashboard()
    {
        // The broker's sign-up page: a server of its own on loopback (the browser follows the redirect to it for real).
        await using var broker = await HookReceiver.StartAsync();
        var ib = await App.SeedIbAsync("browser-conversions@ib.test", "Browser Conversions");
        var page = await LoggedInPageAsync(ib.Email);

        // The IB connects its broker (a Cellxpert platform) and copies the FTD postback URL.
        await page.GotoAsync("/Conversions");
        await page.Locator("#Input_Name").FillAsync("XM");
        await page.Locator("#Input_Platform").SelectOptionAsync("Cellxpert");
        await page.Locator("#Input_ReferralLink").FillAsync($"{broker.BaseUrl}/register?afp={{subid}}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add connection" }).ClickAsync();
        var postbackUrl = await page.Locator("[data-testid=postback-url][data-event=ftd]").TextContentAsync();
        Assert.Contains("afp={afp}", postbackUrl, StringComparison.Ordinal);

        var template = await App.CreateTemplateAsync(ib.TenantId, "Open an account", "Your account", "<p><a href=\"{{ referral_link \"XM\" }}\">Open your XM account</a></p>");
        await App.PublishWorkflowAsync(ib.TenantId, "Refer", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new SendEmailStep(template.Id)]);

        // A visitor requests a demo and gets the email.
        var visitor = await NewPageAsync();
        await visitor.GotoAsync($"/f/{ib.FormKey}");
        await visitor.Locator("#Input_Email").FillAsync("trader.browser@example.com");
        await visitor.GetByRole(AriaRole.Button, new() { Name = "Request my demo" }).ClickAsync();
        await Assertions.Expect(visitor.GetByTestId("form-thanks")).ToBeVisibleAsync();
        await Eventually.HoldsAsync(async () => (await App.MessagesOfAsync(ib.TenantId)).Count == 1, "the email is composed");
        var link = new Uri(EmailLinks.Referral((await App.MessagesOfAsync(ib.TenantId)).Single().HtmlBody)!).PathAndQuery;
        var lead = (await App.LeadsOfAsync(ib.TenantId)).Single();

        // The lead clicks: ClientFlow records it and sends them to the broker with their ref.
        await visitor.GotoAsync(link);
        await visitor.WaitForURLAsync($"{broker.BaseUrl}/register?afp={lead.Ref}", DocumentReady);
        Assert.Contains(broker.Received, r => r.Method == "GET" && r.PathAndQuery == $"/register?afp={lead.Ref}");
        // Headless Chromium names itself in its user agent, so its click is recorded as a machine's.
        await Eventually.HoldsAsync(async () => (await App.MessagesOfAsync(ib.TenantId)).Single() is { } m && (m.ClickedAt ?? m.LastMachineEventAt) is not null, "the click is recorded");

        // The trader funds the account: the broker's platform fills its macros and calls the postback URL.
        var call = postbackUrl!.Replace("{afp}", lead.Ref, StringComparison.Ordinal).Replace("[transaction_sum]", "250", StringComparison.Ordinal).Replace("{userid}", "trader-1", StringComparison.Ordinal);
        using (var platform = new HttpClient())
        using (var answer = await platform.GetAsync(new Uri(App.ClientOptions.BaseAddress, new Uri(call).PathAndQuery), TestContext.Current.CancellationToken))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, answer.StatusCode);
        }

        await Eventually.HoldsAsync(async () => (await App.LeadsOfAsync(ib.TenantId)).Single().Stage == LeadStage.Funded, "the lead is funded");
        await page.GotoAsync("/");
        await Assertions.Expect(page.GetByTestId("funnel-convert")).ToHaveTextAsync("1");
        await page.GotoAsync($"/Leads/{lead.Id}");
        await Assertions.Expect(page.GetByTestId("lead-stage")).ToHaveTextAsync("Funded");
        await Assertions.Expect(page.GetByTestId("lead-funded")).ToContainTextAsync("250");
        await Assertions.Expect(page.GetByTestId("last-touch")).ToContainTextAsync("email \"Open an account\" sent");
        await Assertions.Expect(page.GetByTestId("last-touch")).ToContainTextAsync("of Refer");

        // The conversion report: the connection's funded lead, and the weekly chart drawn by the app's own Chart.js under its
        // script policy (a blocked script or a page error fails the test when the browser closes).
        await page.GotoAsync("/Conversions");
        await page.GetByTestId("report-link").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=by-connection] [data-name=XM] [data-figure=funded]")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("[data-testid=by-workflow] [data-name=Refer] [data-figure=rate]")).ToHaveTextAsync("100%");
        await page.WaitForFunctionAsync("() => window.Chart !== undefined && Chart.getChart(document.getElementById('conversion-chart'))?.data.datasets[2].data.at(-1) === 1");
    }
}
