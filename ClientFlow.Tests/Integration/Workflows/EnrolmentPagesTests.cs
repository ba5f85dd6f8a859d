using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Workflows;

public sealed class EnrolmentPagesApp : SqliteApp;

/// <summary>
/// Enrolment by hand on /Leads (bulk) and /Leads/{id}, a lead's runs and emails, the dashboard funnel and
/// workflow outlines on /, and the sender identity and notification secret on /Settings.
/// </summary>
public sealed class EnrolmentPagesTests(EnrolmentPagesApp fixture) : IClassFixture<EnrolmentPagesApp>
{
    private ClientFlowAppFactory App => fixture.App;

    [Fact]
    public async Task BulkEnrol_StartsOneRunPerSelectedLead_AndAgainStartsNone()
    {
        var ib = await App.SeedIbAsync("bulk@enrol.test", "Bulk IB", "a@example.com", "b@example.com", "c@example.com");
        var workflowId = await App.PublishWorkflowAsync(ib.TenantId, "Hand picked", new WorkflowTrigger(TriggerKind.Manual, null), [new AddTagStep("enrolled")]);
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);

        var page = await client.GetDocumentAsync("/Leads");
        Assert.Contains(page.QuerySelectorAll("[data-testid=enrol-form] select option"), o => o.GetAttribute("value") == workflowId.ToString());
        foreach (var row in page.QuerySelectorAll("[data-testid=lead-row]"))
        {
            var checkbox = row.QuerySelector<IHtmlInputElement>("input[type=checkbox][name=SelectedIds]")!;
            Assert.Equal($"Select {row.QuerySelector("a")!.TextContent}", row.QuerySelector($"label[for='{checkbox.Id}']")?.TextContent);
        }

        var picked = ib.LeadIds.Take(2).ToList();
        using (var enrolled = await EnrolAsync(client, workflowId, picked))
        {
            Assert.Equal(HttpStatusCode.Redirect, enrolled.StatusCode);
            Assert.StartsWith("Enrolled 2 of 2 leads in Hand picked.", await FlashAsync(client, enrolled), StringComparison.Ordinal);
        }

        var runs = await App.RunsOfAsync(ib.TenantId);
        Assert.Equal(picked.Order(), runs.Select(r => r.LeadId).Order());
        Assert.All(runs, r => Assert.Equal(workflowId, r.WorkflowId));
        await Eventually.HoldsAsync(
            async () => (await App.LeadsOfAsync(ib.TenantId)).Count(l => l.Tags.Any(t => t.Slug == "enrolled")) == 2,
            "the two enrolled leads get the tag");
        Assert.DoesNotContain((await App.LeadsOfAsync(ib.TenantId)).Single(l => l.Id == ib.LeadIds[2]).Tags, t => t.Slug == "enrolled");

        // Re-entry is off: the same leads again start nothing; the third one is new to the workflow.
        using (var again = await EnrolAsync(client, workflowId, [.. ib.LeadIds]))
        {
            Assert.StartsWith("Enrolled 1 of 3 leads in Hand picked.", await FlashAsync(client, again), StringComparison.Ordinal);
        }

        Assert.Equal(3, (await App.RunsOfAsync(ib.TenantId)).Count);
        using (var third = await EnrolAsync(client, workflowId, picked))
        {
            Assert.StartsWith("Enrolled 0 of 2 leads in Hand picked.", await FlashAsync(client, third), StringComparison.Ordinal);
        }

        Assert.Equal(3, (await App.RunsOfAsync(ib.TenantId)).Count);
    }

    [Fact]
    public async Task BulkEnrol_ShowsFieldErrors_WhenNoLeadOrNoWorkflowIsChosen()
    {
        var ib = await App.SeedIbAsync("empty@enrol.test", "Empty IB", "only@example.com");
        var workflowId = await App.PublishWorkflowAsync(ib.TenantId, "Nothing chosen", new WorkflowTrigger(TriggerKind.Manual, null), [new AddTagStep("x")]);
        var draft = await CreateDraftAsync(ib.TenantId, "Still a draft", [new AddTagStep("y")]);
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);

        using var noLead = await EnrolAsync(client, workflowId, []);
        Assert.Equal(HttpStatusCode.OK, noLead.StatusCode);
        var page = await PageClient.ParseAsync(noLead);
        Assert.Contains("Select at least one lead", page.QuerySelector("[data-valmsg-for=SelectedIds]")?.TextContent, StringComparison.Ordinal);
        Assert.Single(page.QuerySelectorAll("[data-testid=lead-row]"));

        using var noWorkflow = await EnrolAsync(client, null, ib.LeadIds);
        var again = await PageClient.ParseAsync(noWorkflow);
        Assert.Equal(HttpStatusCode.OK, noWorkflow.StatusCode);
        Assert.Contains("Choose a workflow", again.QuerySelector("[data-valmsg-for='Enrol.WorkflowId']")?.TextContent, StringComparison.Ordinal);
        Assert.True(again.QuerySelector<IHtmlInputElement>("[data-testid=lead-select]")!.IsChecked, "the selection survives the error");

        // A draft (OFF, unpublished) is not offered, and posting its id is refused like any other.
        Assert.DoesNotContain(again.QuerySelectorAll("[data-testid=enrol-form] select option"), o => o.GetAttribute("value") == draft.ToString());
        using var offWorkflow = await EnrolAsync(client, draft, ib.LeadIds);
        Assert.Contains("that is ON", (await PageClient.ParseAsync(offWorkflow)).QuerySelector("[data-valmsg-for='Enrol.WorkflowId']")?.TextContent, StringComparison.Ordinal);

        Assert.Empty(await App.RunsOfAsync(ib.TenantId));
    }

    [Fact]
    public async Task BulkEnrol_IgnoresAnotherIbsLead_AndRefusesAnotherIbsWorkflow()
    {
        var ib = await App.SeedIbAsync("mine@enrol.test", "Mine IB", "mine@example.com");
        var other = await App.SeedIbAsync("theirs@enrol.test", "Theirs IB", "theirs@example.com");
        var workflowId = await App.PublishWorkflowAsync(ib.TenantId, "Mine only", new WorkflowTrigger(TriggerKind.Manual, null), [new AddTagStep("mine")]);
        var theirWorkflow = await App.PublishWorkflowAsync(other.TenantId, "Theirs only", new WorkflowTrigger(TriggerKind.Manual, null), [new AddTagStep("theirs")]);
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);

        using (var foreignLead = await EnrolAsync(client, workflowId, [other.LeadIds[0]]))
        {
            Assert.Equal(HttpStatusCode.Redirect, foreignLead.StatusCode);
            Assert.StartsWith("Enrolled 0 of 1 leads in Mine only.", await FlashAsync(client, foreignLead), StringComparison.Ordinal);
        }

        using (var foreignWorkflow = await EnrolAsync(client, theirWorkflow, ib.LeadIds))
        {
            Assert.Equal(HttpStatusCode.OK, foreignWorkflow.StatusCode);
            Assert.Contains("that is ON", (await PageClient.ParseAsync(foreignWorkflow)).QuerySelector("[data-valmsg-for='Enrol.WorkflowId']")?.TextContent, StringComparison.Ordinal);
        }

        // On the lead page too: another IB's lead is 404, whatever the form says.
        using (var theirs = await client.SubmitFormAsync($"/Leads/{ib.LeadIds[0]}", new Dictionary<string, string> { ["Enrol.WorkflowId"] = workflowId.ToString() }, "form[action*=Enrol]", $"/Leads/{other.LeadIds[0]}?handler=Enrol"))
        {
            Assert.Equal(HttpStatusCode.NotFound, theirs.StatusCode);
        }

        Assert.Empty(await App.RunsOfAsync(ib.TenantId));
        Assert.Empty(await App.RunsOfAsync(other.TenantId));
    }

    [Fact]
    public async Task LeadDetails_EnrolsTheLead_AndShowsItsRunsStepsAndEmails()
    {
        var ib = await App.SeedIbAsync("details@enrol.test", "Details IB", "one@example.com");
        var leadId = ib.LeadIds[0];
        var welcome = await App.CreateTemplateAsync(ib.TenantId, "Welcome", "Welcome aboard", "<p>Hi</p>");
        var workflowId = await App.PublishWorkflowAsync(ib.TenantId, "Welcome then wait", new WorkflowTrigger(TriggerKind.Manual, null),
            [new SendEmailStep(welcome.Id), new AddTagStep("welcomed"), new WaitStep(2, WaitUnit.Days), new AddTagStep("later")]);
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);
        var url = $"/Leads/{leadId}";
        Assert.Contains("Not in any workflow yet", (await client.GetDocumentAsync(url)).QuerySelector("#workflows-heading")?.ParentElement?.TextContent, StringComparison.Ordinal);

        using (var none = await client.SubmitFormAsync(url, new Dictionary<string, string>(), "form[action*=Enrol]"))
        {
            Assert.Equal(HttpStatusCode.OK, none.StatusCode);
            Assert.Contains("Choose a workflow", (await PageClient.ParseAsync(none)).QuerySelector("[data-valmsg-for='Enrol.WorkflowId']")?.TextContent, StringComparison.Ordinal);
        }

        using (var enrolled = await client.SubmitFormAsync(url, new Dictionary<string, string> { ["Enrol.WorkflowId"] = workflowId.ToString() }, "form[action*=Enrol]"))
        {
            Assert.Equal(HttpStatusCode.Redirect, enrolled.StatusCode);
            Assert.Equal("Enrolled in Welcome then wait.", await FlashAsync(client, enrolled));
        }

        await Eventually.HoldsAsync(
            async () => (await App.RunsOfAsync(ib.TenantId)).SingleOrDefault()?.Status == RunStatus.Waiting
                && (await App.MessagesOfAsync(ib.TenantId)).SingleOrDefault()?.Status == EmailStatus.Sent,
            "the run sends the welcome and waits");

        var page = await client.GetDocumentAsync(url);
        var run = Assert.Single(page.QuerySelectorAll("[data-testid=lead-run]"));
        Assert.Equal(nameof(RunStatus.Waiting), run.GetAttribute("data-status"));
        Assert.Equal("Welcome then wait", run.QuerySelector("a")?.TextContent);
        Assert.Equal($"/Workflows/{workflowId}", run.QuerySelector("a")?.GetAttribute("href"));
        Assert.NotNull(run.QuerySelector("[data-testid=run-due]"));
        Assert.NotNull(run.QuerySelector("details summary"));
        var steps = run.QuerySelectorAll("details [data-testid=run-step]").Select(s => s.TextContent).ToList();
        Assert.Equal(3, steps.Count);
        Assert.Contains("Send email \"Welcome\"", steps[0], StringComparison.Ordinal);
        Assert.Contains("Add tag \"welcomed\"", steps[1], StringComparison.Ordinal);
        Assert.Contains("Wait 2 days", steps[2], StringComparison.Ordinal);

        var message = (await App.MessagesOfAsync(ib.TenantId)).Single();
        var email = Assert.Single(page.QuerySelectorAll("[data-testid=lead-email-message]"));
        Assert.Equal("Welcome aboard", email.QuerySelector("a")?.TextContent);
        Assert.Equal($"/Outbox/{message.Id}", email.QuerySelector("a")?.GetAttribute("href"));
        Assert.Equal(nameof(EmailStatus.Sent), email.GetAttribute("data-status"));

        using (var twice = await client.SubmitFormAsync(url, new Dictionary<string, string> { ["Enrol.WorkflowId"] = workflowId.ToString() }, "form[action*=Enrol]"))
        {
            Assert.StartsWith("Not enrolled in Welcome then wait", await FlashAsync(client, twice), StringComparison.Ordinal);
        }

        Assert.Single(await App.RunsOfAsync(ib.TenantId));
    }

    [Fact]
    public async Task Dashboard_ShowsTheFunnelOfTheData_AndEachWorkflowsOutline()
    {
        var ib = await App.SeedIbAsync("funnel@enrol.test", "Funnel IB", "f1@example.com", "f2@example.com", "f3@example.com");
        var other = await App.SeedIbAsync("noise@enrol.test", "Noise IB", "n1@example.com");
        var welcome = await App.CreateTemplateAsync(ib.TenantId, "Welcome", "Welcome", "<p>Hi</p>");
        var nudge = await App.CreateTemplateAsync(ib.TenantId, "Nudge", "Still there?", "<p>Hello?</p>");
        var drip = await App.PublishWorkflowAsync(ib.TenantId, "Drip", new WorkflowTrigger(TriggerKind.Manual, null),
        [
            new SendEmailStep(welcome.Id),
            new WaitStep(2, WaitUnit.Days),
            new ConditionStep(new OpenedCondition(welcome.Id), [new AddTagStep("engaged")], [new WaitStep(1, WaitUnit.Days), new SendEmailStep(nudge.Id)]),
            new WaitStep(3, WaitUnit.Days),
            new AddTagStep("nurtured"),
        ]);
        var followUp = await App.PublishWorkflowAsync(ib.TenantId, "Follow-up", new WorkflowTrigger(TriggerKind.Manual, null), [new WaitStep(3, WaitUnit.Days), new AddTagStep("followed-up")]);
        var draft = await CreateDraftAsync(ib.TenantId, "Idea", [new AddTagStep("someday")]);
        var noise = await App.PublishWorkflowAsync(other.TenantId, "Noise", new WorkflowTrigger(TriggerKind.Manual, null), [new WaitStep(1, WaitUnit.Days)]);
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);

        (await EnrolAsync(client, drip, [ib.LeadIds[0], ib.LeadIds[1]])).Dispose();
        (await EnrolAsync(client, followUp, [ib.LeadIds[0]])).Dispose();
        await AsTenantAsync(other.TenantId, sp => sp.GetRequiredService<Enrolments>().EnrolByHandAsync(noise, other.LeadIds, TestContext.Current.CancellationToken));
        await Eventually.HoldsAsync(
            async () => (await App.RunsOfAsync(ib.TenantId)).Count(r => r.Status == RunStatus.Waiting) == 3
                && (await App.MessagesOfAsync(ib.TenantId)).Count(m => m.Status == EmailStatus.Sent) == 2,
            "two welcomes sent and three runs waiting");

        var sent = await App.AsTenantAsync(ib.TenantId, db => db.EmailMessages.CountAsync(m => m.Kind == EmailKind.Workflow && m.Status == EmailStatus.Sent, TestContext.Current.CancellationToken));
        var inProgress = (await App.RunsOfAsync(ib.TenantId)).Count(r => r.Status is RunStatus.Running or RunStatus.Waiting);
        var nurtured = (await App.LeadsOfAsync(ib.TenantId)).Count(l => l.Status is LeadStatus.Nurturing or LeadStatus.Engaged);
        Assert.Equal((2, 3, 2), (sent, inProgress, nurtured));

        var page = await client.GetDocumentAsync("/");
        Assert.Equal("3", page.QuerySelector("[data-testid=funnel-capture]")?.TextContent);
        Assert.Equal(sent.ToString(System.Globalization.CultureInfo.InvariantCulture), page.QuerySelector("[data-testid=funnel-nurture]")?.TextContent);
        Assert.Equal(nurtured.ToString(System.Globalization.CultureInfo.InvariantCulture), page.QuerySelector("[data-testid=funnel-nurtured-leads]")?.TextContent);
        Assert.Equal("0", page.QuerySelector("[data-testid=funnel-convert]")?.TextContent);
        Assert.Equal("0", page.QuerySelector("[data-testid=funnel-retain]")?.TextContent);
        Assert.Contains("leads won back", page.QuerySelector("[data-testid=funnel-retain]")?.ParentElement?.TextContent, StringComparison.Ordinal);

        var cards = page.QuerySelectorAll("[data-testid=dashboard-workflow]").ToDictionary(c => c.QuerySelector("a")!.TextContent);
        Assert.Equal(["Drip", "Follow-up", "Idea"], cards.Keys.Order());
        Assert.Equal($"/Workflows/{drip}", cards["Drip"].QuerySelector("a")?.GetAttribute("href"));
        Assert.Equal("ON", cards["Drip"].QuerySelector("[data-testid=dashboard-workflow-state]")?.TextContent);
        Assert.Equal("OFF", cards["Idea"].QuerySelector("[data-testid=dashboard-workflow-state]")?.TextContent);
        Assert.Equal($"/Workflows/{draft}", cards["Idea"].QuerySelector("a")?.GetAttribute("href"));
        Assert.Equal(["Add tag \"someday\""], Lines(cards["Idea"]));
        Assert.Equal(["Wait 3 days", "Add tag \"followed-up\""], Lines(cards["Follow-up"]));

        // Drip's outline has nine lines: eight are shown, then "…".
        var drips = Lines(cards["Drip"]);
        Assert.Equal(9, drips.Count);
        Assert.Equal(["Send email \"Welcome\"", "Wait 2 days", "If opened \"Welcome\"", "then:", "Add tag \"engaged\"", "else:", "Wait 1 day", "Send email \"Nudge\""], drips.Take(8));
        Assert.Equal("…", drips[8][..1]);
        var indents = cards["Drip"].QuerySelectorAll("[data-testid=dashboard-workflow-outline] li").Take(8).Select(li => li.GetAttribute("class")).ToList();
        Assert.Equal(indents[0], indents[1]);
        Assert.NotEqual(indents[2], indents[4]);
    }

    [Fact]
    public async Task Dashboard_ShowsEachStagesState_FromTheIbsWorkflowsAndLimit()
    {
        var ib = await App.SeedIbAsync("stages@enrol.test", "Stages IB", "s1@example.com", "s2@example.com");
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);

        // Nothing configured yet: capture runs, the rest say so and link to /Workflows.
        Assert.Equal(
            [("capture", "running"), ("nurture", "not configured"), ("convert", "not configured"), ("retain", "not configured")],
            await StagesAsync(client));

        // A nurture workflow ON, a convert workflow published but OFF, a retain workflow only drafted; the lead limit reached.
        await App.PublishWorkflowAsync(ib.TenantId, "Drip", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new AddTagStep("dripped")]);
        var convert = await App.PublishWorkflowAsync(ib.TenantId, "Onboard clients", new WorkflowTrigger(TriggerKind.TagAdded, "converted"), [new AddTagStep("client")]);
        await AsTenantAsync(ib.TenantId, async sp =>
        {
            var editor = sp.GetRequiredService<WorkflowEditor>();
            Assert.Null(await editor.SetOnAsync((await editor.FindAsync(convert, TestContext.Current.CancellationToken))!, on: false, TestContext.Current.CancellationToken));
            var (draft, error) = await editor.CreateAsync("Win back", new WorkflowDefinition(new WorkflowTrigger(TriggerKind.TagAdded, "inactive"), [new AddTagStep("re-engaged")]), TestContext.Current.CancellationToken);
            Assert.Null(error);

            // One lead won back: tagged re-engaged through the tag layer.
            var db = sp.GetRequiredService<ClientFlowDbContext>();
            var lead = await db.Leads.Include(l => l.Tags).SingleAsync(l => l.Id == ib.LeadIds[0], TestContext.Current.CancellationToken);
            await sp.GetRequiredService<LeadTagging>().AddAsync(lead, ["re-engaged"], TestContext.Current.CancellationToken);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            return draft!.Id;
        });
        await App.SetMaxLeadsAsync(ib.TenantId, 2);

        var page = await client.GetDocumentAsync("/");
        Assert.Equal(
            [("capture", "paused"), ("nurture", "running"), ("convert", "paused"), ("retain", "paused")],
            Stages(page));
        Assert.Equal("1", page.QuerySelector("[data-testid=funnel-retain]")?.TextContent);
        Assert.Contains("Lead limit reached", page.QuerySelector("[data-stage=capture]")?.TextContent, StringComparison.Ordinal);
    }

    private static async Task<List<(string Stage, string State)>> StagesAsync(PageClient client) => Stages(await client.GetDocumentAsync("/"));

    private static List<(string Stage, string State)> Stages(IDocument page) =>
        page.QuerySelectorAll("[data-testid=funnel-stage]")
            .Select(li => (li.GetAttribute("data-stage")!, li.QuerySelector("[data-testid=funnel-state]")!.TextContent.Trim()))
            .ToList();

    [Fact]
    public async Task Settings_SavesTheSenderIdentity_AndRefusesABadReplyTo()
    {
        var ib = await App.SeedIbAsync("sender@enrol.test", "Sender IB");
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);
        Assert.Equal("Sender IB", (await client.GetDocumentAsync("/Settings")).QuerySelector("[data-testid=effective-from-name]")?.TextContent);

        using (var bad = await client.SubmitFormAsync("/Settings", new Dictionary<string, string>
        {
            ["Sender.SenderName"] = "Jane at Acme",
            ["Sender.ReplyTo"] = "not-an-email",
            ["Sender.PostalAddress"] = "1 Main St",
        }, "form[action*=Sender]"))
        {
            Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
            var page = await PageClient.ParseAsync(bad);
            Assert.Contains("valid email address", page.QuerySelector("[data-valmsg-for='Sender.ReplyTo']")?.TextContent, StringComparison.Ordinal);
            Assert.Equal("Jane at Acme", page.QuerySelector<IHtmlInputElement>("#Sender_SenderName")?.Value);
        }

        using (var tooLong = await client.SubmitFormAsync("/Settings", new Dictionary<string, string> { ["Sender.SenderName"] = new('x', 201) }, "form[action*=Sender]"))
        {
            Assert.Equal(HttpStatusCode.OK, tooLong.StatusCode);
            Assert.Contains("at most 200", (await PageClient.ParseAsync(tooLong)).QuerySelector("[data-valmsg-for='Sender.SenderName']")?.TextContent, StringComparison.Ordinal);
        }

        Assert.Null((await TenantAsync(ib.TenantId)).SenderName);

        using (var good = await client.SubmitFormAsync("/Settings", new Dictionary<string, string>
        {
            ["Sender.SenderName"] = "  Jane at Acme ",
            ["Sender.ReplyTo"] = "jane@acme.example",
            ["Sender.PostalAddress"] = "Acme Ltd\n1 Main Street\nLondon",
        }, "form[action*=Sender]"))
        {
            Assert.Equal(HttpStatusCode.Redirect, good.StatusCode);
            Assert.Contains("Sender identity saved", await FlashAsync(client, good), StringComparison.Ordinal);
        }

        var tenant = await TenantAsync(ib.TenantId);
        Assert.Equal(("Jane at Acme", "jane@acme.example", "Acme Ltd\n1 Main Street\nLondon"), (tenant.SenderName, tenant.ReplyTo, tenant.PostalAddress));
        var saved = await client.GetDocumentAsync("/Settings");
        Assert.Equal("jane@acme.example", saved.QuerySelector<IHtmlInputElement>("#Sender_ReplyTo")?.Value);
        Assert.Equal("Jane at Acme", saved.QuerySelector("[data-testid=effective-from-name]")?.TextContent);
        Assert.NotNull(saved.QuerySelector("label[for=Sender_PostalAddress]"));

        // Emptied: the From name falls back to the account name, the reply-to to the login email.
        using (var cleared = await client.SubmitFormAsync("/Settings", new Dictionary<string, string> { ["Sender.SenderName"] = "", ["Sender.ReplyTo"] = "", ["Sender.PostalAddress"] = "" }, "form[action*=Sender]"))
        {
            Assert.Equal(HttpStatusCode.Redirect, cleared.StatusCode);
        }

        tenant = await TenantAsync(ib.TenantId);
        Assert.Equal((null, null, null), (tenant.SenderName, tenant.ReplyTo, tenant.PostalAddress));
        Assert.Equal("Sender IB", (await client.GetDocumentAsync("/Settings")).QuerySelector("[data-testid=effective-from-name]")?.TextContent);
    }

    [Fact]
    public async Task Settings_RotatesTheNotificationSecret_WithAnAuditEntry()
    {
        var ib = await App.SeedIbAsync("secret@enrol.test", "Secret IB");
        var before = (await TenantAsync(ib.TenantId)).NotificationSecret!;
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);

        var page = await client.GetDocumentAsync("/Settings");
        var masked = page.QuerySelector("[data-testid=notification-secret-masked]")!.TextContent;
        Assert.EndsWith(before[^4..], masked, StringComparison.Ordinal);
        Assert.DoesNotContain(before[..8], masked, StringComparison.Ordinal);
        Assert.Equal(before, page.QuerySelector("details [data-testid=notification-secret]")?.TextContent);
        Assert.Contains("X-ClientFlow-Signature", page.QuerySelector("#webhooks-heading")?.ParentElement?.TextContent, StringComparison.Ordinal);

        using (var rotated = await client.SubmitFormAsync("/Settings", new Dictionary<string, string>(), "form[action*=RotateNotificationSecret]"))
        {
            Assert.Equal(HttpStatusCode.Redirect, rotated.StatusCode);
        }

        var after = (await TenantAsync(ib.TenantId)).NotificationSecret!;
        Assert.NotEqual(before, after);
        Assert.Matches("^[0-9a-f]{64}$", after);
        Assert.Equal(after, (await client.GetDocumentAsync("/Settings")).QuerySelector("[data-testid=notification-secret]")?.TextContent);

        await using var scope = App.Services.CreateAsyncScope();
        var audit = await scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>().AuditEntries
            .Where(a => a.TenantId == ib.TenantId && a.Action == "tenant.notification-secret.rotated").ToListAsync(TestContext.Current.CancellationToken);
        Assert.Single(audit);
        Assert.NotNull(audit[0].ActorUserId);
    }

    /// <summary>Posts the bulk enrolment form of /Leads the way a browser does with ticked boxes: one <c>SelectedIds</c> field per lead.</summary>
    private static async Task<HttpResponseMessage> EnrolAsync(PageClient client, Guid? workflowId, IEnumerable<Guid> leadIds)
    {
        var page = await client.GetDocumentAsync("/Leads");
        var form = page.QuerySelector<IHtmlFormElement>("form[data-testid=enrol-form]") ?? throw new InvalidOperationException("No enrol form on /Leads.");
        var fields = form.QuerySelectorAll<IHtmlInputElement>("input[type=hidden]").Select(i => new KeyValuePair<string, string>(i.Name!, i.Value)).ToList();
        fields.Add(new("Enrol.WorkflowId", workflowId?.ToString() ?? string.Empty));
        fields.AddRange(leadIds.Select(id => new KeyValuePair<string, string>("SelectedIds", id.ToString())));
        using var content = new FormUrlEncodedContent(fields);
        return await client.Http.PostAsync(form.GetAttribute("action"), content, TestContext.Current.CancellationToken);
    }

    /// <summary>Follows a Post/Redirect/Get redirect and returns the status message shown there.</summary>
    private static async Task<string?> FlashAsync(PageClient client, HttpResponseMessage redirect)
    {
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        var page = await client.GetDocumentAsync(redirect.Headers.Location!.OriginalString);
        return page.QuerySelector(".alert[role=status]")?.TextContent.Trim();
    }

    private static List<string> Lines(IElement card) =>
        card.QuerySelectorAll("[data-testid=dashboard-workflow-outline] li").Select(li => li.TextContent.Trim()).ToList();

    private Task<Tenant> TenantAsync(Guid tenantId) =>
        AsTenantAsync(tenantId, sp => sp.GetRequiredService<ClientFlowDbContext>().Tenants.AsNoTracking().SingleAsync(t => t.Id == tenantId, TestContext.Current.CancellationToken));

    private Task<Guid> CreateDraftAsync(Guid tenantId, string name, IReadOnlyList<WorkflowStep> steps) =>
        AsTenantAsync(tenantId, async sp =>
        {
            var (workflow, error) = await sp.GetRequiredService<WorkflowEditor>()
                .CreateAsync(name, new WorkflowDefinition(new WorkflowTrigger(TriggerKind.Manual, null), steps), TestContext.Current.CancellationToken);
            Assert.Null(error);
            return workflow!.Id;
        });

    private async Task<T> AsTenantAsync<T>(Guid tenantId, Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = App.Services.CreateAsyncScope();
        using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(tenantId))
        {
            return await action(scope.ServiceProvider);
        }
    }
}
