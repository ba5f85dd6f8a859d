using ClientFlow.Automation.Templates;
using ClientFlow.Automation.Workflows;

namespace ClientFlow.Web.Hosting;

/// <summary>
/// The seed notes' templates and workflows for the demo IBs, created through the product's own
/// services, published and ON. Notifications go by email so the demo works without an SMS account.
/// </summary>
public sealed class DemoWorkflows(EmailTemplates templates, WorkflowEditor editor)
{
    public async Task SeedAsync(string ib, CancellationToken cancellationToken)
    {
        switch (ib)
        {
            case "John":
                await SeedJohnAsync(cancellationToken);
                break;
            case "Sarah":
                await SeedSarahAsync(cancellationToken);
                break;
            case "Mike":
                await SeedMikeAsync(cancellationToken);
                break;
        }
    }

    private async Task SeedJohnAsync(CancellationToken cancellationToken)
    {
        var welcome = await TemplateAsync("Welcome", "Welcome to John's Forex Trading Program, {{ first_name | string.default \"trader\" }}!",
            "<p>Hi {{ first_name | string.default \"there\" }},</p><p>Thanks for requesting a demo. Join my exclusive forex program and trade with a partner who answers.</p><p><a href=\"https://example.com/forex/open-account\">Open your account</a></p><p>{{ ib.name }}</p>",
            cancellationToken);
        var started = await TemplateAsync("Getting started", "Your first steps, {{ first_name | string.default \"trader\" }}",
            "<p>Great to see you opened my welcome.</p><p><a href=\"https://example.com/forex/getting-started\">Start here</a></p>", cancellationToken);
        var missed = await TemplateAsync("Did you miss my welcome?", "Did you miss my welcome?",
            "<p>Hi {{ first_name | string.default \"there\" }}, in case my first email got buried: <a href=\"https://example.com/forex/open-account\">here it is again</a>.</p>", cancellationToken);
        var maximise = await TemplateAsync("How to maximise your trading", "How to maximise your trading",
            "<p>Three habits of traders who last: a plan, a stop, a journal. <a href=\"https://example.com/forex/guide\">Read the guide</a>.</p>", cancellationToken);

        await WorkflowAsync("Welcome Sequence", new WorkflowTrigger(TriggerKind.TagAdded, "demo-request"),
        [
            new WaitStep(5, WaitUnit.Minutes),
            new SendEmailStep(welcome),
            new WaitStep(2, WaitUnit.Days),
            new ConditionStep(new OpenedCondition(welcome),
                [new AddTagStep("engaged"), new SendEmailStep(started)],
                [new WaitStep(1, WaitUnit.Days), new SendEmailStep(missed)]),
            new WaitStep(3, WaitUnit.Days),
            new SendEmailStep(maximise),
        ], cancellationToken);

        await WorkflowAsync("VIP Lead Alert", new WorkflowTrigger(TriggerKind.LeadCaptured, null),
        [
            new ConditionStep(new FieldCondition(LeadField.MonthlyLeads, FieldOperator.AtLeast, "500+"),
                [new AddTagStep("vip"), new NotifyStep(NotifyChannel.Email, null, "High-value lead: {{ email }} ({{ monthly_leads }} leads a month)")],
                []),
        ], cancellationToken);
    }

    private async Task SeedSarahAsync(CancellationToken cancellationToken)
    {
        var simple = await TemplateAsync("Crypto Made Simple", "Start your crypto journey with Sarah",
            "<p>Hey {{ first_name | string.default \"there\" }}, crypto is the future, and it does not have to be complicated.</p><p><a href=\"https://example.com/crypto/start\">Start here</a></p>", cancellationToken);
        var missYou = await TemplateAsync("We miss you", "Still curious about crypto, {{ first_name | string.default \"friend\" }}?",
            "<p>It has been a while. Here is what changed this month: <a href=\"https://example.com/crypto/news\">the crypto brief</a>.</p>", cancellationToken);

        await WorkflowAsync("Crypto Welcome", new WorkflowTrigger(TriggerKind.TagAdded, "demo-request"),
        [
            new WaitStep(10, WaitUnit.Minutes),
            new SendEmailStep(simple),
            new WaitStep(1, WaitUnit.Days),
            new ConditionStep(new OpenedCondition(simple),
                [new AddTagStep("hot-lead"), new NotifyStep(NotifyChannel.Email, null, "Hot lead: {{ email }} opened Crypto Made Simple")],
                []),
        ], cancellationToken);

        await WorkflowAsync("Re-engagement", new WorkflowTrigger(TriggerKind.TagAdded, "inactive"),
        [
            new SendEmailStep(missYou),
            new WaitStep(3, WaitUnit.Days),
            new ConditionStep(new ClickedCondition(missYou), [new RemoveTagStep("inactive"), new AddTagStep("re-engaged")], [new AddTagStep("cold")]),
        ], cancellationToken);
    }

    private async Task SeedMikeAsync(CancellationToken cancellationToken)
    {
        var onboarding = await TemplateAsync("CFD Onboarding", "Welcome to Mike's CFD Desk",
            "<p>Hi {{ first_name | string.default \"there\" }}, here is how CFD trading works on our desk, step by step.</p><p><a href=\"https://example.com/cfd/onboarding\">Your onboarding checklist</a></p>", cancellationToken);
        var desk = await TemplateAsync("High-Value Desk", "A dedicated desk for {{ broker_network | string.default \"your network\" }}",
            "<p>With {{ monthly_leads }} leads a month you qualify for our high-value desk: better rebates and a direct line.</p>", cancellationToken);

        await WorkflowAsync("CFD Onboarding", new WorkflowTrigger(TriggerKind.TagAdded, "demo-request"),
        [
            new WaitStep(15, WaitUnit.Minutes),
            new SendEmailStep(onboarding),
            new WaitStep(2, WaitUnit.Days),
            new ConditionStep(new ClickedCondition(onboarding), [new AddTagStep("engaged")], [new SendEmailStep(onboarding)]),
        ], cancellationToken);

        await WorkflowAsync("High-Value", new WorkflowTrigger(TriggerKind.TagAdded, "high-volume"),
        [
            new SendEmailStep(desk),
            new AddTagStep("high-value-desk"),
            new NotifyStep(NotifyChannel.Email, null, "High-value CFD lead: {{ email }}"),
        ], cancellationToken);
    }

    private async Task<Guid> TemplateAsync(string name, string subject, string html, CancellationToken cancellationToken)
    {
        var result = await templates.SaveAsync(null, new TemplateInput(name, subject, html, null), cancellationToken);
        return result?.Template?.Id ?? throw new InvalidOperationException($"Demo template '{name}' was refused: {string.Join("; ", result?.Errors ?? [])}");
    }

    private async Task WorkflowAsync(string name, WorkflowTrigger trigger, IReadOnlyList<WorkflowStep> steps, CancellationToken cancellationToken)
    {
        var (workflow, error) = await editor.CreateAsync(name, new WorkflowDefinition(trigger, steps), cancellationToken);
        if (workflow is null)
        {
            throw new InvalidOperationException($"Demo workflow '{name}' was refused: {error}");
        }

        var problems = await editor.PublishAsync(workflow, cancellationToken);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"Demo workflow '{name}' does not publish: {string.Join("; ", problems)}");
        }

        await editor.SetOnAsync(workflow, on: true, cancellationToken);
    }
}
