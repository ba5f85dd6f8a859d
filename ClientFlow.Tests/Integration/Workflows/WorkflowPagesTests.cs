using System.Net;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Tests.Integration.Workflows;

public sealed class WorkflowPagesApp : SqliteApp;

/// <summary>/Workflows and the editor at /Workflows/{id}: build a tree through the forms, publish with checks, ON/OFF, limits, isolation.</summary>
public sealed class WorkflowPagesTests(WorkflowPagesApp fixture) : IClassFixture<WorkflowPagesApp>
{
    private ClientFlowAppFactory App => fixture.App;

    [Fact]
    public async Task Editor_BuildsABranchingTree_Reorders_Publishes_AndTurnsOn()
    {
        var ib = await App.SeedIbAsync("editor@workflows.test", "Editor IB");
        var welcome = await App.CreateTemplateAsync(ib.TenantId, "Welcome", "Welcome", "<p>Hi</p>");
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);

        var created = await client.SubmitFormAsync("/Workflows", new Dictionary<string, string>
        {
            ["Input.Name"] = "Welcome Sequence",
            ["Input.TriggerKind"] = nameof(TriggerKind.TagAdded),
            ["Input.TriggerTag"] = "demo-request",
        }, "form[action*=Create]");
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var editor = created.Headers.Location!.OriginalString;

        await AddStepAsync(client, editor, new() { ["Step.Kind"] = "wait", ["Step.WaitAmount"] = "5", ["Step.WaitUnit"] = nameof(WaitUnit.Minutes) });
        await AddStepAsync(client, editor, new() { ["Step.Kind"] = "send_email", ["Step.TemplateId"] = welcome.Id.ToString() });
        await AddStepAsync(client, editor, new() { ["Step.Kind"] = "condition", ["Step.ConditionKind"] = "opened", ["Step.ConditionTemplateId"] = welcome.Id.ToString() });
        await AddStepAsync(client, editor, new() { ["Step.Kind"] = "add_tag", ["Step.TagSlug"] = "engaged", ["Step.ListPath"] = "2/then" });
        await AddStepAsync(client, editor, new() { ["Step.Kind"] = "wait", ["Step.WaitAmount"] = "1", ["Step.WaitUnit"] = nameof(WaitUnit.Days), ["Step.ListPath"] = "2/else" });
        await AddStepAsync(client, editor, new() { ["Step.Kind"] = "exit" });
        var notOpened = await PageClient.ParseAsync(await client.SubmitFormAsync(editor, new Dictionary<string, string> { ["Step.Kind"] = "wait_until", ["Step.ConditionKind"] = "has_tag", ["Step.TagSlug"] = "x" }, "#add-step"));
        Assert.Contains("Pick \"opened\" or \"clicked\" to wait for.", notOpened.QuerySelector("#add-step")?.TextContent, StringComparison.Ordinal);

        var page = await client.GetDocumentAsync(editor);
        Assert.Equal(
            ["Wait 5 minutes", "Send email \"Welcome\"", "If opened \"Welcome\"", "Add tag \"engaged\"", "Wait 1 day", "Exit"],
            page.QuerySelectorAll("[data-testid=step] > div > span").Select(s => s.TextContent.Trim()));

        // Move the exit up above the condition, then remove it.
        await client.SubmitFormAsync(editor, new Dictionary<string, string> { ["path"] = "3" }, "li[data-path='3'] form", $"{editor}?handler=Move&delta=-1");
        Assert.Equal("Exit", (await client.GetDocumentAsync(editor)).QuerySelector("li[data-path='2'] span")?.TextContent.Trim());
        await client.SubmitFormAsync(editor, new Dictionary<string, string> { ["path"] = "2" }, "li[data-path='2'] form", $"{editor}?handler=Remove");

        var published = await client.SubmitFormAsync(editor, new Dictionary<string, string>(), "form[action*=Publish]");
        Assert.Equal(HttpStatusCode.Redirect, published.StatusCode);
        var toggled = await client.SubmitFormAsync(editor, new Dictionary<string, string>(), "form[action*=Toggle]");
        Assert.Equal(HttpStatusCode.Redirect, toggled.StatusCode);
        var afterToggle = await client.GetDocumentAsync(editor);
        Assert.True(afterToggle.Body!.TextContent.Contains("ON: enrolling leads", StringComparison.Ordinal), toggled.Headers.Location + afterToggle.QuerySelector("main")?.TextContent);

        var workflow = await App.AsTenantAsync(ib.TenantId, db => db.Workflows.SingleAsync(TestContext.Current.CancellationToken));
        Assert.True(workflow.IsOn);
        Assert.Equal(1, workflow.PublishedVersionNumber);
        var version = await App.AsTenantAsync(ib.TenantId, db => db.WorkflowVersions.SingleAsync(TestContext.Current.CancellationToken));
        var steps = version.Definition.Steps;
        Assert.Equal(new WorkflowTrigger(TriggerKind.TagAdded, "demo-request"), version.Definition.Trigger);
        Assert.Equal(3, steps.Count);
        var condition = Assert.IsType<ConditionStep>(steps[2]);
        Assert.Equal(new AddTagStep("engaged"), Assert.Single(condition.Then));
        Assert.Equal(new WaitStep(1, WaitUnit.Days), Assert.Single(condition.Else));

        var list = await client.GetDocumentAsync("/Workflows");
        Assert.Equal("ON", list.QuerySelector("[data-testid=workflow-toggle]")?.TextContent.Trim());
        Assert.Contains("Send email \"Welcome\"", list.QuerySelector("[data-testid=workflow-outline]")?.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitUntilOpened_IsAConditionThatWaits_WithItsOwnBranches()
    {
        var ib = await App.SeedIbAsync("waituntil@workflows.test", "Wait Until IB");
        var welcome = await App.CreateTemplateAsync(ib.TenantId, "Welcome", "Welcome", "<p>Hi</p>");
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);
        var editor = (await client.SubmitFormAsync("/Workflows", new Dictionary<string, string> { ["Input.Name"] = "Waits", ["Input.TriggerKind"] = nameof(TriggerKind.LeadCaptured) }, "form[action*=Create]"))
            .Headers.Location!.OriginalString;

        await AddStepAsync(client, editor, new() { ["Step.Kind"] = "send_email", ["Step.TemplateId"] = welcome.Id.ToString() });
        await AddStepAsync(client, editor, new()
        {
            ["Step.Kind"] = "wait_until",
            ["Step.ConditionKind"] = "opened",
            ["Step.ConditionTemplateId"] = welcome.Id.ToString(),
            ["Step.ConditionWaitAmount"] = "3",
            ["Step.ConditionWaitUnit"] = nameof(WaitUnit.Days),
        });
        await AddStepAsync(client, editor, new() { ["Step.Kind"] = "add_tag", ["Step.TagSlug"] = "cold", ["Step.ListPath"] = "1/else" });

        var page = await client.GetDocumentAsync(editor);
        Assert.Equal("If opened \"Welcome\", waiting up to 3 days", page.QuerySelector("li[data-path='1'] > div > span")?.TextContent.Trim());
        var draft = (await App.AsTenantAsync(ib.TenantId, db => db.Workflows.SingleAsync(TestContext.Current.CancellationToken))).Draft;
        var condition = Assert.IsType<ConditionStep>(draft.Steps[1]);
        Assert.Equal(new WaitStep(3, WaitUnit.Days), condition.WaitUpTo);
        Assert.Equal(new AddTagStep("cold"), Assert.Single(condition.Else));
    }

    [Fact]
    public async Task Publish_RefusesAnEmptyWorkflow_AndAnotherIbsPrefixedTag_AndTurningOnADraft()
    {
        var ib = await App.SeedIbAsync("checks@workflows.test", "Checks IB");
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);
        var editor = (await client.SubmitFormAsync("/Workflows", new Dictionary<string, string> { ["Input.Name"] = "Checked", ["Input.TriggerKind"] = nameof(TriggerKind.LeadCaptured) }, "form[action*=Create]"))
            .Headers.Location!.OriginalString;

        var empty = await PageClient.ParseAsync(await client.SubmitFormAsync(editor, new Dictionary<string, string>(), "form[action*=Publish]"));
        Assert.Contains("Add at least one step", empty.QuerySelector("[data-testid=publish-problems]")?.TextContent, StringComparison.Ordinal);

        var off = await client.SubmitFormAsync(editor, new Dictionary<string, string>(), "form[action*=Toggle]");
        Assert.Equal(HttpStatusCode.Redirect, off.StatusCode);
        Assert.Contains("Publish the workflow before turning it on", (await client.GetDocumentAsync(editor)).Body?.TextContent, StringComparison.Ordinal);

        await AddStepAsync(client, editor, new() { ["Step.Kind"] = "add_tag", ["Step.TagSlug"] = "ib-b9z5n4p8-hot-lead" });
        var prefixed = await PageClient.ParseAsync(await client.SubmitFormAsync(editor, new Dictionary<string, string>(), "form[action*=Publish]"));
        Assert.Contains("carries an IB prefix", prefixed.QuerySelector("[data-testid=publish-problems]")?.TextContent, StringComparison.Ordinal);

        var missing = await PageClient.ParseAsync(await client.SubmitFormAsync(editor, new Dictionary<string, string> { ["Step.Kind"] = "send_email" }, "#add-step"));
        Assert.Contains("Pick a template.", missing.QuerySelector("#add-step")?.TextContent, StringComparison.Ordinal);

        Assert.False(await App.AsTenantAsync(ib.TenantId, db => db.WorkflowVersions.AnyAsync(TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task AnotherIbsWorkflow_Is404_AndTheLimitIsTen()
    {
        var owner = await App.SeedIbAsync("owner@workflows.test", "Owner IB");
        var other = await App.SeedIbAsync("other@workflows.test", "Other IB");
        var workflowId = await App.PublishWorkflowAsync(owner.TenantId, "Private", new WorkflowTrigger(TriggerKind.Manual, null), [new AddTagStep("mine")]);

        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(other.Email);
        Assert.Equal(HttpStatusCode.NotFound, (await client.Http.GetAsync($"/Workflows/{workflowId}", TestContext.Current.CancellationToken)).StatusCode);
        var own = (await client.SubmitFormAsync("/Workflows", new Dictionary<string, string> { ["Input.Name"] = "Mine", ["Input.TriggerKind"] = nameof(TriggerKind.Manual) }, "form[action*=Create]"))
            .Headers.Location!.OriginalString;
        // A POST that names no handler is refused cleanly, not rendered without its model.
        var noHandler = await client.SubmitFormAsync(own, new Dictionary<string, string>(), "form[action*=Toggle]", own);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, noHandler.StatusCode);
        var foreignToggle = await client.SubmitFormAsync(own, new Dictionary<string, string>(), "form[action*=Toggle]", $"/Workflows/{workflowId}?handler=Toggle&on=false");
        Assert.Equal(HttpStatusCode.NotFound, foreignToggle.StatusCode);
        Assert.DoesNotContain("Private", (await client.GetDocumentAsync("/Workflows")).Body?.TextContent, StringComparison.Ordinal);
        Assert.True(await App.AsTenantAsync(owner.TenantId, db => db.Workflows.Where(w => w.Id == workflowId).Select(w => w.IsOn).SingleAsync(TestContext.Current.CancellationToken)));

        for (var i = 1; i < 10; i++)
        {
            var response = await client.SubmitFormAsync("/Workflows", new Dictionary<string, string> { ["Input.Name"] = $"W{i}", ["Input.TriggerKind"] = nameof(TriggerKind.Manual) }, "form[action*=Create]");
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        }

        var refused = await client.SubmitFormAsync("/Workflows", new Dictionary<string, string> { ["Input.Name"] = "Eleventh", ["Input.TriggerKind"] = nameof(TriggerKind.Manual) }, "form[action*=Create]");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("limit of 10 workflows", (await PageClient.ParseAsync(refused)).Body?.TextContent, StringComparison.Ordinal);
        Assert.Equal(10, await App.AsTenantAsync(other.TenantId, db => db.Workflows.CountAsync(TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task DeletingATemplate_ThatAWorkflowSends_IsRefusedWithTheWorkflowsName()
    {
        var ib = await App.SeedIbAsync("inuse@workflows.test", "In Use IB");
        var used = await App.CreateTemplateAsync(ib.TenantId, "Used", "Used", "<p>Used</p>");
        var spare = await App.CreateTemplateAsync(ib.TenantId, "Spare", "Spare", "<p>Spare</p>");
        await App.PublishWorkflowAsync(ib.TenantId, "Sender", new WorkflowTrigger(TriggerKind.Manual, null), [new SendEmailStep(used.Id)]);
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);

        await client.SubmitFormAsync("/Templates", new Dictionary<string, string>(), $"form[action*='{used.Id}']");
        Assert.Contains("Used is used by Sender", (await client.GetDocumentAsync("/Templates")).Body?.TextContent, StringComparison.Ordinal);
        await client.SubmitFormAsync("/Templates", new Dictionary<string, string>(), $"form[action*='{spare.Id}']");

        var names = await App.AsTenantAsync(ib.TenantId, db => db.EmailTemplates.Select(t => t.Name).ToListAsync(TestContext.Current.CancellationToken));
        Assert.Equal(["Used"], names);
    }

    private static async Task AddStepAsync(PageClient client, string editor, Dictionary<string, string> fields)
    {
        fields.TryAdd("Step.ListPath", string.Empty);
        var response = await client.SubmitFormAsync(editor, fields, "#add-step");
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Adding {string.Join(", ", fields)} answered {(int)response.StatusCode}: {(await PageClient.ParseAsync(response)).QuerySelector("#add-step")?.TextContent}");
    }
}
