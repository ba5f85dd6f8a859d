using ClientFlow.Automation.Data;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using ClientFlow.Web.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration;

/// <summary>
/// The seed notes are the specification: the Development demo has their workflows and emails as written
/// (001's "Workflow Setup Per IB", then 000's dashboard examples), and seeds under every capture policy.
/// </summary>
public sealed class DemoSeedNotesTests
{
    private static readonly Dictionary<string, string?> DefaultAdmin = new()
    {
        ["Admin:Email"] = "",
        ["Admin:Password"] = "",
    };

    [Fact]
    public async Task Demo_HasTheSeedNotesWorkflowsAsWritten_AndJohnsVipAlertFiresWhenHighVolumeIsAdded()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var database = new SqliteTestDatabase();
        await using var app = new ClientFlowAppFactory(database, "Development", new Dictionary<string, string?>(DefaultAdmin) { ["Demo:PostbackTokens:John"] = JohnsPostbackToken });
        await app.StartAsync();

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>();
        var tenants = await db.Tenants.ToDictionaryAsync(t => t.Name, t => t.Id, cancellationToken);
        var pack = tenants["ClientFlow Starter Pack"];
        var workflows = await db.Workflows.IgnoreQueryFilters().AsNoTracking().Where(w => w.TenantId != pack).ToListAsync(cancellationToken);
        var templates = await db.EmailTemplates.IgnoreQueryFilters().AsNoTracking().ToListAsync(cancellationToken);

        var john = tenants["John's Forex Academy"];
        var sarah = tenants["Sarah's Crypto Circle"];
        var mike = tenants["Mike's CFD Desk"];
        Guid Template(Guid tenant, string name) => templates.Single(t => t.TenantId == tenant && t.Name == name).Id;
        void AssertWorkflow(Guid tenant, string name, bool on, WorkflowTrigger trigger, IReadOnlyList<WorkflowStep> steps)
        {
            var workflow = workflows.Single(w => w.TenantId == tenant && w.Name == name);
            Assert.Equal(new WorkflowDefinition(trigger, steps).ToJson(), workflow.Draft.ToJson());
            Assert.True(workflow.PublishedVersionId is not null && !workflow.HasUnpublishedChanges, $"{name} is published");
            Assert.Equal(on, workflow.IsOn);
        }

        // 001, John: Welcome Sequence and VIP Lead Alert, step for step.
        AssertWorkflow(john, "Welcome Sequence", on: true, new WorkflowTrigger(TriggerKind.TagAdded, "demo-request"),
        [
            new WaitStep(5, WaitUnit.Minutes),
            new SendEmailStep(Template(john, "Welcome - John's Forex Program")),
            new WaitStep(2, WaitUnit.Days),
            new ConditionStep(new OpenedCondition(Template(john, "Welcome - John's Forex Program")),
                [new AddTagStep("engaged"), new SendEmailStep(Template(john, "Getting Started Guide"))],
                [new WaitStep(1, WaitUnit.Days), new SendEmailStep(Template(john, "Did you miss my welcome message?"))]),
            new WaitStep(3, WaitUnit.Days),
            new SendEmailStep(Template(john, "How to maximize your trading")),
        ]);
        var welcome = templates.Single(t => t.TenantId == john && t.Name == "Welcome - John's Forex Program");
        Assert.Equal("Welcome to John's Exclusive Forex Training", welcome.Subject);
        Assert.StartsWith("<p>Hi {{first_name}}, I'm John and I'm excited", welcome.HtmlBody, StringComparison.Ordinal);

        AssertWorkflow(john, "VIP Lead Alert", on: true, new WorkflowTrigger(TriggerKind.TagAdded, "high-volume"),
        [
            new NotifyStep(NotifyChannel.Email, null, "A lead with 500+ monthly volume signed up! {{ email }}", "🔥 High-Value Lead Alert!"),
            new SendEmailStep(Template(john, "VIP Welcome from John")),
            new AddTagStep("vip-prospect"),
        ]);
        Assert.Contains("I noticed you're doing high volume", templates.Single(t => t.Name == "VIP Welcome from John").HtmlBody, StringComparison.Ordinal);

        // 000's dashboard, John: "If: monthly_leads > 500 → Notify me via SMS", on the form's top bucket.
        AssertWorkflow(john, "High-Value Lead Alert", on: true, new WorkflowTrigger(TriggerKind.LeadCaptured, null),
        [
            new ConditionStep(new FieldCondition(LeadField.MonthlyLeads, FieldOperator.AtLeast, "500+"),
                [new NotifyStep(NotifyChannel.Sms, DemoWorkflows.JohnPhone, "High-value lead: {{ email }} ({{ monthly_leads }} leads a month)")],
                []),
        ]);

        // 001, Sarah: Crypto Welcome and Re-engagement; 000's dashboard: Crypto Quick Start ON, VIP Treatment OFF.
        AssertWorkflow(sarah, "Crypto Welcome", on: true, new WorkflowTrigger(TriggerKind.TagAdded, "demo-request"),
        [
            new WaitStep(10, WaitUnit.Minutes),
            new SendEmailStep(Template(sarah, "Crypto Made Simple - Sarah")),
            new WaitStep(1, WaitUnit.Days),
            new SendEmailStep(Template(sarah, "Top 5 Crypto Trading Tips")),
            new AddTagStep("engaged"),
        ]);
        Assert.Equal("Start Your Crypto Journey with Sarah", templates.Single(t => t.Name == "Crypto Made Simple - Sarah").Subject);
        AssertWorkflow(sarah, "Re-engagement", on: true, new WorkflowTrigger(TriggerKind.TagAdded, "inactive"),
        [
            new WaitStep(7, WaitUnit.Days),
            new SendEmailStep(Template(sarah, "We miss you!")),
            new ConditionStep(new OpenedCondition(Template(sarah, "We miss you!")), [new AddTagStep("re-engaged")], [new AddTagStep("churned")], new WaitStep(7, WaitUnit.Days)),
        ]);
        AssertWorkflow(sarah, "Crypto Quick Start", on: true, new WorkflowTrigger(TriggerKind.TagAdded, "demo-request"),
            [new WaitStep(10, WaitUnit.Minutes), new SendEmailStep(Template(sarah, "Crypto Made Simple")), new WaitStep(1, WaitUnit.Days)]);
        AssertWorkflow(sarah, "VIP Treatment", on: false, new WorkflowTrigger(TriggerKind.LeadCaptured, null),
        [
            new ConditionStep(new FieldCondition(LeadField.MonthlyLeads, FieldOperator.AtLeast, "100-499"),
                [new SendEmailStep(Template(sarah, "Exclusive Crypto Signals")), new AddTagStep("vip-member")],
                []),
        ]);

        // 001, Mike: the note gives names and triggers only.
        Assert.Equal(new WorkflowTrigger(TriggerKind.TagAdded, "demo-request"), workflows.Single(w => w.TenantId == mike && w.Name == "CFD Onboarding").Draft.Trigger);
        Assert.Equal(new WorkflowTrigger(TriggerKind.TagAdded, "vip"), workflows.Single(w => w.TenantId == mike && w.Name == "High-Value").Draft.Trigger);
        Assert.Equal(3 + 4 + 2, workflows.Count);

        // The seeder enters each IB in turn in one scope: every run is in a workflow of its own IB.
        var runs = await db.WorkflowRuns.IgnoreQueryFilters().AsNoTracking().Select(r => new { r.TenantId, r.WorkflowId }).ToListAsync(cancellationToken);
        Assert.All(runs, r => Assert.Equal(r.TenantId, workflows.Single(w => w.Id == r.WorkflowId).TenantId));
        Assert.Equal(4 + 4, runs.Count(r => r.TenantId == sarah && workflows.Single(w => w.Id == r.WorkflowId).Name is "Crypto Welcome" or "Crypto Quick Start"));

        // Behaviour, not only shape: trader1 (500+) got high-volume at capture, so John's VIP Lead Alert emailed John and
        // the lead and tagged it; his dashboard alert queued its SMS.
        await Eventually.HoldsAsync(
            async () => (await app.LeadsOfAsync(john)).Single(l => l.Email == "trader1@example.com").Tags.Any(t => t.Slug == "vip-prospect"),
            "John's VIP Lead Alert tags trader1 vip-prospect");
        var messages = await app.MessagesOfAsync(john);
        Assert.Contains(messages, m => m.To == "john@clientflow.test" && m.Subject == "🔥 High-Value Lead Alert!" && m.TextBody!.Contains("A lead with 500+ monthly volume signed up! trader1@example.com", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.To == "trader1@example.com" && m.Subject == "VIP Welcome from John");
        Assert.DoesNotContain(messages, m => m.To != "john@clientflow.test" && m.To != "trader1@example.com" && m.Subject == "VIP Welcome from John");
        await Eventually.HoldsAsync(
            () => app.AsTenantAsync(john, d => d.RunSteps.AnyAsync(s => s.Outcome == $"SMS queued to {DemoWorkflows.JohnPhone}", cancellationToken)),
            "John's High-Value Lead Alert queues its SMS for trader1");

        // The seed emails' "open your account" is each IB's referral link to its demo broker; the starter pack's is not
        // (a new IB has no broker connection yet).
        const string referral = "{{ referral_link \"" + DemoSeeder.DemoBroker + "\" }}";
        foreach (var (tenant, name) in new[] { (john, "Welcome - John's Forex Program"), (sarah, "Crypto Made Simple"), (mike, "CFD Onboarding") })
        {
            Assert.Contains(referral, templates.Single(t => t.TenantId == tenant && t.Name == name).HtmlBody, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(templates, t => t.TenantId == pack && t.HtmlBody.Contains("referral_link", StringComparison.Ordinal));

        // README's worked example: the demo broker's postback with a demo lead's ref moves it to Funded and CONVERT up by one.
        using var dashboard = app.CreatePageClient();
        await dashboard.LogInOrFailAsync("john@clientflow.test", DemoOptions.DefaultPassword);
        var before = int.Parse((await dashboard.GetDocumentAsync("/")).QuerySelector("[data-testid=funnel-convert]")!.TextContent, System.Globalization.CultureInfo.InvariantCulture);
        var trader = (await app.LeadsOfAsync(john)).Single(l => l.Email == "trader1@example.com");
        using (var http = app.CreateClient())
        using (var postback = await http.GetAsync($"/postbacks/{JohnsPostbackToken}?subid={trader.Ref}&event=ftd&amount=250&currency=USD&txid=1", cancellationToken))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, postback.StatusCode);
        }

        await Eventually.HoldsAsync(async () => (await app.LeadsOfAsync(john)).Single(l => l.Id == trader.Id).FundedAt is not null, "the demo lead is funded");
        Assert.Equal((before + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), (await dashboard.GetDocumentAsync("/")).QuerySelector("[data-testid=funnel-convert]")?.TextContent);
    }

    private const string JohnsPostbackToken = "demo-john-postback-token-0001";

    [Fact]
    public async Task InDevelopment_ANewIbGetsTheStarterPack_TheSeedsWelcomeSequenceWithItsEmails_Off()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var database = new SqliteTestDatabase();
        await using var app = new ClientFlowAppFactory(database, "Development", DefaultAdmin);
        await app.StartAsync();

        var newcomer = await app.SeedIbAsync("newcomer@ib.test", "Newcomer");
        var workflows = await app.AsTenantAsync(newcomer.TenantId, d => d.Workflows.AsNoTracking().ToListAsync(cancellationToken));
        var templates = await app.AsTenantAsync(newcomer.TenantId, d => d.EmailTemplates.AsNoTracking().ToListAsync(cancellationToken));
        var welcome = Assert.Single(workflows);
        Assert.Equal("Welcome Sequence", welcome.Name);
        Assert.False(welcome.IsOn);
        Assert.Equal(1, welcome.PublishedVersionNumber);
        Assert.Equal(
            ["Did you miss my welcome message?", "Getting Started Guide", "How to maximize your trading", "Welcome - John's Forex Program"],
            templates.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.Equal(new WorkflowTrigger(TriggerKind.TagAdded, "demo-request"), welcome.Draft.Trigger);
        Assert.All(welcome.Draft.Steps.OfType<SendEmailStep>(), s => Assert.Contains(templates, t => t.Id == s.TemplateId));
    }

    [Fact]
    public async Task Demo_SeedsUnderTheExclusiveCapturePolicy_RefusingSarahsCopyOfJohnsSharedLead()
    {
        await using var database = new SqliteTestDatabase();
        await using var app = new ClientFlowAppFactory(database, "Development", new Dictionary<string, string?>(DefaultAdmin) { ["Capture:Policy"] = "Exclusive" });
        await app.StartAsync();

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>();
        var tenants = await db.Tenants.ToDictionaryAsync(t => t.Name, t => t.Id, TestContext.Current.CancellationToken);
        var johns = await app.LeadsOfAsync(tenants["John's Forex Academy"]);
        var sarahs = await app.LeadsOfAsync(tenants["Sarah's Crypto Circle"]);
        Assert.Contains(johns, l => l.Email == "shared.trader@example.com");
        Assert.DoesNotContain(sarahs, l => l.Email == "shared.trader@example.com");
        Assert.Equal(3, sarahs.Count);
        Assert.Equal(9 + 1, await db.Workflows.IgnoreQueryFilters().CountAsync(TestContext.Current.CancellationToken));
    }
}
