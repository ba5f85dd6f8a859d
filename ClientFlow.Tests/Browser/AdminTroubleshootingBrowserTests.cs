using ClientFlow.Automation.Email;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using Microsoft.Playwright;

namespace ClientFlow.Tests.Browser;

/// <summary>
/// A real browser: the admin goes from the tenant list to an IB, opens one lead's timeline (captured, tags, run and
/// steps, the email with its open) and finds that view in the audit trail.
/// </summary>
public sealed class AdminTroubleshootingBrowserTests : BrowserApp
{
    [Fact]
    public async Task Admin_OpensAnIbsLeadTimeline_AndTheAuditTrailRecordsIt()
    {
        var ib = await App.SeedIbAsync("troubled@ib.test", "Troubled IB");
        var template = await App.CreateTemplateAsync(ib.TenantId, "Hello", "Hello from Troubled IB", "<p>Hi</p>");
        await App.PublishWorkflowAsync(ib.TenantId, "Greeting", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new SendEmailStep(template.Id), new AddTagStep("greeted")]);
        await App.PublishWorkflowAsync(ib.TenantId, "Later", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new WaitStep(1, WaitUnit.Days), new AddTagStep("later")]);
        var leadId = await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "timeline@example.com", Name = "Tia Line" });
        await Eventually.HoldsAsync(async () => (await App.MessagesOfAsync(ib.TenantId)).SingleOrDefault()?.Status == EmailStatus.Sent, "the greeting is sent");
        await Eventually.HoldsAsync(async () => (await App.RunsOfAsync(ib.TenantId)).Any(r => r.Status == Automation.Engine.RunStatus.Waiting), "the later run waits");
        var token = (await App.MessagesOfAsync(ib.TenantId)).Single().Token;
        using (var pixel = await App.CreateClient().GetAsync($"/t/o/{token}", TestContext.Current.CancellationToken))
        {
            pixel.EnsureSuccessStatusCode();
        }

        var page = await LoggedInPageAsync(ClientFlowAppFactory.AdminEmail);

        await page.GotoAsync("/Admin/Tenants");
        await page.GetByRole(AriaRole.Link, new() { Name = "Troubled IB" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Troubled IB", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=admin-workflow-row][data-name=Greeting] [data-status=Completed]")).ToHaveTextAsync("1");
        await Assertions.Expect(page.GetByTestId("admin-message-row")).ToContainTextAsync("Hello from Troubled IB");
        await Assertions.Expect(page.GetByTestId("admin-runs-in-progress")).ToHaveTextAsync("1 (running or waiting, all workflows)");
        await Assertions.Expect(page.Locator("[data-testid=admin-workflow-row][data-name=Later] [data-status=Waiting]")).ToHaveTextAsync("1");

        await page.GetByRole(AriaRole.Link, new() { Name = "timeline@example.com" }).ClickAsync();
        await page.WaitForURLAsync($"**/Admin/Tenants/{ib.TenantId}/Leads/{leadId}", DocumentReady);
        var timeline = page.GetByTestId("lead-timeline");
        await Assertions.Expect(timeline.Locator("[data-kind=captured]")).ToHaveCountAsync(1);
        await Assertions.Expect(timeline.Locator("[data-kind=run]")).ToContainTextAsync(["Enrolled in \"Greeting\"", "\"Greeting\" ended: Completed"]);
        await Assertions.Expect(timeline.Locator("[data-kind=step]", new() { HasText = "Send email \"Hello\"" })).ToHaveCountAsync(1);
        await Assertions.Expect(timeline.Locator("[data-kind=step]", new() { HasText = "Wait 1 day" })).ToHaveCountAsync(1);
        await Assertions.Expect(timeline.Locator("[data-kind=tag]", new() { HasText = "greeted" })).ToHaveCountAsync(1);
        await Assertions.Expect(timeline.Locator("[data-kind=open]")).ToContainTextAsync("Opened \"Hello from Troubled IB\"");

        await page.GetByRole(AriaRole.Link, new() { Name = "Audit" }).First.ClickAsync();
        await page.WaitForURLAsync("**/Admin/Audit", DocumentReady);
        var viewed = page.Locator("[data-testid=audit-row][data-action='admin.lead.view']").First;
        await Assertions.Expect(viewed).ToContainTextAsync("Troubled IB");
        await Assertions.Expect(viewed).ToContainTextAsync($"lead {leadId}");
        await Assertions.Expect(viewed).ToContainTextAsync(ClientFlowAppFactory.AdminEmail);

        // The jobs dashboard works under its content security policy too (its graphs draw with inline styles).
        await page.GotoAsync("/hangfire");
        await Assertions.Expect(page.Locator("#realtimeGraph")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-metric='servers:count']")).ToHaveTextAsync("1");
        await page.GotoAsync("/hangfire/jobs/succeeded");
        await Assertions.Expect(page.Locator("#page-title")).ToHaveTextAsync("Succeeded Jobs");
    }
}
