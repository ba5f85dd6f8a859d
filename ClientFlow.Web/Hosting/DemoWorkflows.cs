using ClientFlow.Automation.Templates;
using ClientFlow.Automation.Workflows;

namespace ClientFlow.Web.Hosting;

/// <summary>
/// The seed notes' workflows and emails for the demo IBs, as written, created through the product's own services.
/// First the "Workflow Setup Per IB" of <c>001_*.txt</c>, then the dashboard examples of <c>000_*.txt</c> that are not
/// already among them, each kept as a workflow of its own where the notes differ (never merged into a third).
/// Where a note cannot be expressed exactly the closest honest form is used, and the README says which:
/// <list type="bullet">
/// <item>"monthly_leads &gt; 500" and "&gt; 200" are conditions on the form's buckets (<c>&lt;100</c>, <c>100-499</c>,
/// <c>500+</c>): "is at least 500+" and "is at least 100-499";</item>
/// <item>Sarah's Re-engagement asks "Email opened?" straight after sending it; the run waits up to the workflow's own
/// 7 days for the open rather than deciding "no" a second after the send;</item>
/// <item>a note's email body ending in "..." is finished in the same voice;</item>
/// <item>the notes give Mike's workflows only their names and triggers (<c>demo-request</c>, <c>vip</c>), so their
/// steps are ClientFlow's own.</item>
/// </list>
/// John's dashboard draws his Welcome Sequence in four steps: that is the 001 workflow of the same name, not another.
/// </summary>
public sealed class DemoWorkflows(EmailTemplates templates, WorkflowEditor editor)
{
    /// <summary>The demo phone number John's SMS alert goes to (a range reserved for drama; nothing is sent without an SMS account).</summary>
    public const string JohnPhone = "+447700900001";

    /// <summary>The demo IB's referral link to its demo broker, for the lead: the seed emails' "open your account".</summary>
    private const string OpenAccount = "{{ referral_link \"" + DemoSeeder.DemoBroker + "\" }}";

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

    /// <summary>The Development starter pack: the seed's Welcome Sequence with its emails, published and OFF (the pack enrols no one).</summary>
    /// <remarks>The pack's emails link to the broker's site, not a referral link: a new IB has no broker connection of its own yet.</remarks>
    public Task SeedStarterPackAsync(CancellationToken cancellationToken) => SeedWelcomeSequenceAsync(on: false, referral: false, cancellationToken);

    private async Task SeedJohnAsync(CancellationToken cancellationToken)
    {
        await SeedWelcomeSequenceAsync(on: true, referral: true, cancellationToken);
        var vip = await TemplateAsync("VIP Welcome from John", "VIP Welcome from John",
            "<p>Hi {{first_name}}, I noticed you're doing high volume, so I'd like to offer you my VIP terms: better rebates and a direct line to me.</p><p><a href=\"https://example.com/forex/vip\">See the VIP terms</a></p>", cancellationToken);

        await WorkflowAsync("VIP Lead Alert", new WorkflowTrigger(TriggerKind.TagAdded, "high-volume"),
        [
            new NotifyStep(NotifyChannel.Email, null, "A lead with 500+ monthly volume signed up! {{ email }}", "🔥 High-Value Lead Alert!"),
            new SendEmailStep(vip),
            new AddTagStep("vip-prospect"),
        ], on: true, cancellationToken);

        // The visual guide's dashboard: "If: monthly_leads > 500 → Notify me via SMS".
        await WorkflowAsync("High-Value Lead Alert", new WorkflowTrigger(TriggerKind.LeadCaptured, null),
        [
            new ConditionStep(new FieldCondition(LeadField.MonthlyLeads, FieldOperator.AtLeast, "500+"),
                [new NotifyStep(NotifyChannel.Sms, JohnPhone, "High-value lead: {{ email }} ({{ monthly_leads }} leads a month)")],
                []),
        ], on: true, cancellationToken);
    }

    /// <summary>001's "John's Welcome Sequence", step for step, with its four emails; "open your account" is his referral link when <paramref name="referral"/>.</summary>
    private async Task SeedWelcomeSequenceAsync(bool on, bool referral, CancellationToken cancellationToken)
    {
        var openAccount = referral ? OpenAccount : "https://example.com/forex/open-account";
        var welcome = await TemplateAsync("Welcome - John's Forex Program", "Welcome to John's Exclusive Forex Training",
            "<p>Hi {{first_name}}, I'm John and I'm excited to have you in my forex program.</p><p>Over the next few days I'll show you how my traders get started. <a href=\"" + openAccount + "\">Open your account</a> when you're ready.</p><p>{{ ib.name }}</p>",
            cancellationToken);
        var guide = await TemplateAsync("Getting Started Guide", "Your Getting Started Guide",
            "<p>Hi {{first_name}}, great to see you opened my welcome.</p><p><a href=\"https://example.com/forex/getting-started\">Here is your getting started guide</a>.</p>", cancellationToken);
        var missed = await TemplateAsync("Did you miss my welcome message?", "Did you miss my welcome message?",
            "<p>Hi {{first_name}}, in case my first email got buried: <a href=\"" + openAccount + "\">here it is again</a>.</p>", cancellationToken);
        var maximize = await TemplateAsync("How to maximize your trading", "How to maximize your trading",
            "<p>Hi {{first_name}}, three habits of traders who last: a plan, a stop, a journal. <a href=\"https://example.com/forex/guide\">Read the guide</a>.</p>", cancellationToken);

        await WorkflowAsync("Welcome Sequence", new WorkflowTrigger(TriggerKind.TagAdded, "demo-request"),
        [
            new WaitStep(5, WaitUnit.Minutes),
            new SendEmailStep(welcome),
            new WaitStep(2, WaitUnit.Days),
            new ConditionStep(new OpenedCondition(welcome),
                [new AddTagStep("engaged"), new SendEmailStep(guide)],
                [new WaitStep(1, WaitUnit.Days), new SendEmailStep(missed)]),
            new WaitStep(3, WaitUnit.Days),
            new SendEmailStep(maximize),
        ], on, cancellationToken);
    }

    private async Task SeedSarahAsync(CancellationToken cancellationToken)
    {
        var simple = await TemplateAsync("Crypto Made Simple - Sarah", "Start Your Crypto Journey with Sarah",
            "<p>Hey {{first_name}}, Crypto can be confusing, so I'll keep it simple: one idea a day.</p><p><a href=\"https://example.com/crypto/start\">Start here</a>, and <a href=\"" + OpenAccount + "\">open your account</a> when you're ready.</p>", cancellationToken);
        var tips = await TemplateAsync("Top 5 Crypto Trading Tips", "Top 5 Crypto Trading Tips",
            "<p>Hey {{first_name}}, the five habits I wish I had started with: size small, take profits, keep records, ignore hype, secure your keys.</p><p><a href=\"https://example.com/crypto/tips\">Read all five</a></p>", cancellationToken);
        var missYou = await TemplateAsync("We miss you!", "We miss you!",
            "<p>Hey {{first_name}}, it has been a while. Here is what changed in crypto this month: <a href=\"https://example.com/crypto/news\">the crypto brief</a>.</p>", cancellationToken);
        var quick = await TemplateAsync("Crypto Made Simple", "Start Your Crypto Journey with Sarah",
            "<p>Hey {{first_name}}, Crypto is the future, and it does not have to be complicated.</p><p><a href=\"https://example.com/crypto/start\">Start here</a>, and <a href=\"" + OpenAccount + "\">open your account</a> when you're ready.</p>", cancellationToken);
        var signals = await TemplateAsync("Exclusive Crypto Signals", "Exclusive Crypto Signals",
            "<p>Hey {{first_name}}, as one of my VIP members you get my crypto signals first.</p><p><a href=\"https://example.com/crypto/signals\">See this week's signals</a></p>", cancellationToken);

        await WorkflowAsync("Crypto Welcome", new WorkflowTrigger(TriggerKind.TagAdded, "demo-request"),
        [
            new WaitStep(10, WaitUnit.Minutes),
            new SendEmailStep(simple),
            new WaitStep(1, WaitUnit.Days),
            new SendEmailStep(tips),
            new AddTagStep("engaged"),
        ], on: true, cancellationToken);

        await WorkflowAsync("Re-engagement", new WorkflowTrigger(TriggerKind.TagAdded, "inactive"),
        [
            new WaitStep(7, WaitUnit.Days),
            new SendEmailStep(missYou),
            new ConditionStep(new OpenedCondition(missYou), [new AddTagStep("re-engaged")], [new AddTagStep("churned")], new WaitStep(7, WaitUnit.Days)),
        ], on: true, cancellationToken);

        // The visual guide's dashboard: "Crypto Quick Start" ON and "VIP Treatment" OFF.
        await WorkflowAsync("Crypto Quick Start", new WorkflowTrigger(TriggerKind.TagAdded, "demo-request"),
        [
            new WaitStep(10, WaitUnit.Minutes),
            new SendEmailStep(quick),
            new WaitStep(1, WaitUnit.Days),
        ], on: true, cancellationToken);

        await WorkflowAsync("VIP Treatment", new WorkflowTrigger(TriggerKind.LeadCaptured, null),
        [
            new ConditionStep(new FieldCondition(LeadField.MonthlyLeads, FieldOperator.AtLeast, "100-499"),
                [new SendEmailStep(signals), new AddTagStep("vip-member")],
                []),
        ], on: false, cancellationToken);
    }

    private async Task SeedMikeAsync(CancellationToken cancellationToken)
    {
        var onboarding = await TemplateAsync("CFD Onboarding", "Welcome to Mike's CFD Desk",
            "<p>Hi {{first_name}}, here is how CFD trading works on our desk, step by step.</p><p><a href=\"https://example.com/cfd/onboarding\">Your onboarding checklist</a>, then <a href=\"" + OpenAccount + "\">open your CFD account</a>.</p>", cancellationToken);
        var desk = await TemplateAsync("High-Value Desk", "A dedicated desk for {{ broker_network | string.default \"your network\" }}",
            "<p>Hi {{first_name}}, as a VIP you qualify for our high-value desk: better rebates and a direct line.</p>", cancellationToken);

        await WorkflowAsync("CFD Onboarding", new WorkflowTrigger(TriggerKind.TagAdded, "demo-request"),
        [
            new WaitStep(15, WaitUnit.Minutes),
            new SendEmailStep(onboarding),
            new WaitStep(2, WaitUnit.Days),
            new ConditionStep(new ClickedCondition(onboarding), [new AddTagStep("engaged")], [new SendEmailStep(onboarding)]),
        ], on: true, cancellationToken);

        await WorkflowAsync("High-Value", new WorkflowTrigger(TriggerKind.TagAdded, "vip"),
        [
            new SendEmailStep(desk),
            new AddTagStep("high-value-desk"),
            new NotifyStep(NotifyChannel.Email, null, "High-value CFD lead: {{ email }}"),
        ], on: true, cancellationToken);
    }

    private async Task<Guid> TemplateAsync(string name, string subject, string html, CancellationToken cancellationToken)
    {
        var result = await templates.SaveAsync(null, new TemplateInput(name, subject, html, null), cancellationToken);
        return result?.Template?.Id ?? throw new InvalidOperationException($"Demo template '{name}' was refused: {string.Join("; ", result?.Errors ?? [])}");
    }

    /// <summary>Created, published and set ON or OFF, as an IB would through /Workflows.</summary>
    private async Task WorkflowAsync(string name, WorkflowTrigger trigger, IReadOnlyList<WorkflowStep> steps, bool on, CancellationToken cancellationToken)
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

        if (on)
        {
            await editor.SetOnAsync(workflow, on: true, cancellationToken);
        }
    }
}
