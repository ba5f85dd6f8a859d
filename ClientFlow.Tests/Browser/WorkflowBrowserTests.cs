using ClientFlow.Tests.Infrastructure;
using Microsoft.Playwright;

namespace ClientFlow.Tests.Browser;

/// <summary>A real browser builds a two-step workflow in the editor, publishes it, captures a lead on the hosted form and finds the email on /Outbox.</summary>
public sealed class WorkflowBrowserTests : BrowserApp
{
    [Fact]
    public async Task BuildPublishCapture_ShowsTheEmailOnTheOutbox()
    {
        var ib = await App.SeedIbAsync("browser-wf@ib.test", "Browser Workflows");
        await App.CreateTemplateAsync(ib.TenantId, "Browser Welcome", "Welcome {{ first_name | string.default \"there\" }}", "<p>Hello {{ first_name }}</p>");
        var page = await LoggedInPageAsync(ib.Email);

        await page.GotoAsync("/Workflows");
        await page.Locator("#Input_Name").FillAsync("Browser Welcome Flow");
        await page.Locator("#Input_TriggerKind").SelectOptionAsync(new SelectOptionValue { Label = "A lead is captured" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await page.WaitForURLAsync("**/Workflows/*-*", DocumentReady);

        // Step 1: send the template. The form shows only the chosen kind's fields.
        await page.Locator("#Step_Kind").SelectOptionAsync("send_email");
        await Assertions.Expect(page.Locator("#Step_WaitAmount")).ToBeHiddenAsync();
        await page.Locator("#Step_TemplateId").SelectOptionAsync(new SelectOptionValue { Label = "Browser Welcome" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Add step" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("step")).ToHaveCountAsync(1);

        // Step 2: tag the lead.
        await page.Locator("#Step_Kind").SelectOptionAsync("add_tag");
        await page.Locator("#Step_TagSlug").FillAsync("welcomed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add step" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("step")).ToHaveCountAsync(2);
        await Assertions.Expect(page.GetByTestId("step-tree")).ToContainTextAsync("Send email \"Browser Welcome\"");
        await Assertions.Expect(page.GetByTestId("step-tree")).ToContainTextAsync("Add tag \"welcomed\"");

        await page.GetByTestId("publish").ClickAsync();
        await Assertions.Expect(page.GetByTestId("workflow-version")).ToContainTextAsync("Published version 1");
        await page.GetByTestId("workflow-toggle").ClickAsync();
        await Assertions.Expect(page.GetByTestId("workflow-toggle")).ToHaveTextAsync("ON");

        // A visitor requests a demo on the IB's hosted form.
        var visitor = await NewPageAsync();
        await visitor.GotoAsync($"/f/{ib.FormKey}");
        await visitor.Locator("#Input_Name").FillAsync("Alex Morgan");
        await visitor.Locator("#Input_Email").FillAsync("alex.browser@example.com");
        await visitor.GetByRole(AriaRole.Button, new() { Name = "Request my demo" }).ClickAsync();
        await Assertions.Expect(visitor.GetByTestId("form-thanks")).ToBeVisibleAsync();

        // The run sends at once (no wait step); the outbox shows the email.
        await Eventually.HoldsAsync(async () => (await App.MessagesOfAsync(ib.TenantId)).Count == 1, "the workflow sends the email");
        await page.GotoAsync("/Outbox");
        var row = page.GetByTestId("outbox-row");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToContainTextAsync("alex.browser@example.com");
        await Assertions.Expect(row).ToContainTextAsync("Welcome Alex");
        await Eventually.HoldsAsync(async () => (await App.LeadsOfAsync(ib.TenantId)).Single().Tags.Any(t => t.Slug == "welcomed"), "the second step tags the lead");
    }
}
