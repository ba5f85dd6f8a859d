using ClientFlow.Automation.Email;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Engine;

/// <summary>Workflows run end to end on the real engine, Hangfire and SQLite, with the clock under the test's control.</summary>
public sealed class WorkflowEngineTests(FakeClockApp fixture) : IClassFixture<FakeClockApp>
{
    private ClientFlowAppFactory App => fixture.App;

    [Fact]
    public async Task WelcomeSequence_TakesTheOpenedBranch_OrTheElseBranch_AndNeverRunsEarly()
    {
        var ib = await App.SeedIbAsync("john@engine.test", "John");
        var welcome = await App.CreateTemplateAsync(ib.TenantId, "Welcome", "Welcome {{ first_name }}", "<p>Hi {{ first_name | string.default \"there\" }}</p>");
        var started = await App.CreateTemplateAsync(ib.TenantId, "Getting started", "Getting started", "<p>Step one</p>");
        var missed = await App.CreateTemplateAsync(ib.TenantId, "Did you miss my welcome?", "Did you miss it?", "<p>Again</p>");
        var maximise = await App.CreateTemplateAsync(ib.TenantId, "How to maximise your trading", "Maximise", "<p>Tips</p>");
        await App.PublishWorkflowAsync(ib.TenantId, "Welcome Sequence", new WorkflowTrigger(TriggerKind.TagAdded, CaptureTags.DemoRequest),
        [
            new WaitStep(5, WaitUnit.Minutes),
            new SendEmailStep(welcome.Id),
            new WaitStep(2, WaitUnit.Days),
            new ConditionStep(new OpenedCondition(welcome.Id),
                [new AddTagStep("engaged"), new SendEmailStep(started.Id)],
                [new WaitStep(1, WaitUnit.Days), new SendEmailStep(missed.Id)]),
            new WaitStep(3, WaitUnit.Days),
            new SendEmailStep(maximise.Id),
        ]);

        var opener = await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "opener@example.com", Name = "Olivia Open", IbType = "forex-ib" });
        var ignorer = await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "ignorer@example.com", Name = "Ian Ignore" });
        await RunsReachAsync(ib, RunStatus.Waiting, 2);
        Assert.Empty(await App.MessagesOfAsync(ib.TenantId));

        // Four minutes in: not due, so the sweep wakes nothing and nothing is sent.
        fixture.Clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(0, await App.SweepRunsAsync());
        Assert.Empty(await App.MessagesOfAsync(ib.TenantId));

        Assert.Equal(2, await fixture.PassAsync(TimeSpan.FromMinutes(1)));
        await SentAsync(ib, 2);
        var welcomes = await App.MessagesOfAsync(ib.TenantId);
        Assert.All(welcomes, m => Assert.Equal(welcome.Id, m.TemplateId));
        Assert.Equal("Welcome Olivia", welcomes.Single(m => m.LeadId == opener).Subject);

        // A minute later (not a mail server's instant fetch), the opener opens the welcome through its tracking pixel.
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        var pixel = await App.CreateClient().GetAsync($"/t/o/{welcomes.Single(m => m.LeadId == opener).Token}", TestContext.Current.CancellationToken);
        Assert.Equal("image/gif", pixel.Content.Headers.ContentType?.MediaType);

        await fixture.PassAsync(TimeSpan.FromDays(2));
        await SentAsync(ib, 3);
        await fixture.PassAsync(TimeSpan.FromDays(1));
        await SentAsync(ib, 4);
        await fixture.PassAsync(TimeSpan.FromDays(3));
        await SentAsync(ib, 6);
        await RunsReachAsync(ib, RunStatus.Completed, 2);

        var messages = await App.MessagesOfAsync(ib.TenantId);
        Assert.Equal([welcome.Id, started.Id, maximise.Id], messages.Where(m => m.LeadId == opener).Select(m => m.TemplateId!.Value));
        Assert.Equal([welcome.Id, missed.Id, maximise.Id], messages.Where(m => m.LeadId == ignorer).Select(m => m.TemplateId!.Value));

        var leads = await App.LeadsOfAsync(ib.TenantId);
        Assert.Contains(leads.Single(l => l.Id == opener).Tags, t => t.Slug == "engaged");
        Assert.DoesNotContain(leads.Single(l => l.Id == ignorer).Tags, t => t.Slug == "engaged");
        Assert.All(leads, l => Assert.Contains(l.Tags, t => t.Slug == EmailDelivery.SentTag));
        Assert.Equal(LeadStatus.Engaged, leads.Single(l => l.Id == opener).Status);
        Assert.Equal(LeadStatus.Nurturing, leads.Single(l => l.Id == ignorer).Status);

        var openerRun = (await App.RunsOfAsync(ib.TenantId)).Single(r => r.LeadId == opener);
        var steps = await App.StepsOfAsync(ib.TenantId, openerRun.Id);
        Assert.Contains(steps, s => s.Label == "If opened \"Welcome\"" && s.Outcome.StartsWith("Yes", StringComparison.Ordinal));
        Assert.Equal(steps.Count, steps.Select(s => s.StepIndex).Distinct().Count());
    }

    [Fact]
    public async Task FieldCondition_SplitsHighVolumeLeads_AndNotifiesTheIb()
    {
        var ib = await App.SeedIbAsync("vip@engine.test", "Vip IB");
        await App.PublishWorkflowAsync(ib.TenantId, "VIP Lead Alert", new WorkflowTrigger(TriggerKind.LeadCaptured, null),
        [
            new ConditionStep(new FieldCondition(LeadField.MonthlyLeads, FieldOperator.AtLeast, "500+"),
                [new AddTagStep("vip"), new NotifyStep(NotifyChannel.Email, null, "High-volume lead {{ email }} ({{ monthly_leads }})")],
                [new AddTagStep("standard")]),
            new ConditionStep(new FieldCondition(LeadField.IbType, FieldOperator.Equals, "forex-ib"), [new AddTagStep("forex-track")], []),
        ]);

        var big = await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "big@example.com", MonthlyLeads = "500+", IbType = "forex-ib" });
        var small = await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "small@example.com", MonthlyLeads = "<100", IbType = "crypto-ib" });
        await RunsReachAsync(ib, RunStatus.Completed, 2);

        var leads = await App.LeadsOfAsync(ib.TenantId);
        var bigTags = leads.Single(l => l.Id == big).Tags.Select(t => t.Slug).ToList();
        var smallTags = leads.Single(l => l.Id == small).Tags.Select(t => t.Slug).ToList();
        Assert.Contains("vip", bigTags);
        Assert.Contains("forex-track", bigTags);
        Assert.DoesNotContain("standard", bigTags);
        Assert.Contains("standard", smallTags);
        Assert.DoesNotContain("vip", smallTags);
        Assert.DoesNotContain("forex-track", smallTags);

        await Eventually.HoldsAsync(async () => (await App.MessagesOfAsync(ib.TenantId)).Any(m => m.Status == EmailStatus.Sent), "the notification is delivered");
        var notification = Assert.Single(await App.MessagesOfAsync(ib.TenantId));
        Assert.Equal(EmailKind.Notification, notification.Kind);
        Assert.Equal(ib.Email, notification.To);
        Assert.Contains("High-volume lead big@example.com (500+)", notification.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TagAddedTrigger_OfOneTenant_NeverEnrolsAnotherTenantsLead()
    {
        var sarah = await App.SeedIbAsync("sarah@engine.test", "Sarah");
        var mike = await App.SeedIbAsync("mike@engine.test", "Mike");
        var sarahWorkflow = await App.PublishWorkflowAsync(sarah.TenantId, "Crypto Welcome", new WorkflowTrigger(TriggerKind.TagAdded, "crypto-affiliate"), [new AddTagStep("welcomed")]);

        // Mike's lead gets the very same slug (under Mike's prefix); only Sarah's lead may enter Sarah's workflow.
        var mikesLead = await App.CaptureAsync(mike.TenantId, new LeadInput { Email = "same-slug@example.com", IbType = "crypto-affiliate" });
        var sarahsLead = await App.CaptureAsync(sarah.TenantId, new LeadInput { Email = "same-slug@example.com", IbType = "crypto-affiliate" });

        await RunsReachAsync(sarah, RunStatus.Completed, 1);
        var run = Assert.Single(await App.RunsOfAsync(sarah.TenantId));
        Assert.Equal(sarahsLead, run.LeadId);
        Assert.Equal(sarahWorkflow, run.WorkflowId);
        Assert.Empty(await App.RunsOfAsync(mike.TenantId));
        Assert.DoesNotContain((await App.LeadsOfAsync(mike.TenantId)).Single(l => l.Id == mikesLead).Tags, t => t.Slug == "welcomed");

        // Across tenants, no run of Sarah's workflow points at Mike's lead.
        Assert.False(await App.AsTenantAsync(mike.TenantId, db => db.WorkflowRuns.AnyAsync(r => r.LeadId == mikesLead, TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task Publishing_PinsRunsInFlightToTheirVersion()
    {
        var ib = await App.SeedIbAsync("pin@engine.test", "Pin IB");
        var workflowId = await App.PublishWorkflowAsync(ib.TenantId, "Pinned", new WorkflowTrigger(TriggerKind.TagAdded, "pin-me"),
            [new WaitStep(1, WaitUnit.Hours), new AddTagStep("saw-v1")]);
        var early = await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "early@example.com", IbType = "pin-me" });
        await RunsReachAsync(ib, RunStatus.Waiting, 1);

        await EditAndPublishAsync(ib, workflowId, [new WaitStep(1, WaitUnit.Hours), new AddTagStep("saw-v2")]);
        var late = await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "late@example.com", IbType = "pin-me" });
        await RunsReachAsync(ib, RunStatus.Waiting, 2);

        await fixture.PassAsync(TimeSpan.FromHours(1));
        await RunsReachAsync(ib, RunStatus.Completed, 2);

        var leads = await App.LeadsOfAsync(ib.TenantId);
        Assert.Contains(leads.Single(l => l.Id == early).Tags, t => t.Slug == "saw-v1");
        Assert.DoesNotContain(leads.Single(l => l.Id == early).Tags, t => t.Slug == "saw-v2");
        Assert.Contains(leads.Single(l => l.Id == late).Tags, t => t.Slug == "saw-v2");
        var versions = await App.AsTenantAsync(ib.TenantId, db => db.WorkflowVersions.Where(v => v.WorkflowId == workflowId).OrderBy(v => v.Number).Select(v => v.Id).ToListAsync(TestContext.Current.CancellationToken));
        var runs = await App.RunsOfAsync(ib.TenantId);
        Assert.Equal(versions[0], runs.Single(r => r.LeadId == early).VersionId);
        Assert.Equal(versions[1], runs.Single(r => r.LeadId == late).VersionId);
    }

    [Fact]
    public async Task TurningOff_PausesRunsAndStopsEnrolment_TurningOn_Resumes()
    {
        var ib = await App.SeedIbAsync("toggle@engine.test", "Toggle IB");
        var workflowId = await App.PublishWorkflowAsync(ib.TenantId, "Toggled", new WorkflowTrigger(TriggerKind.TagAdded, "toggle-me"),
            [new WaitStep(1, WaitUnit.Hours), new AddTagStep("finished")]);
        var before = await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "before@example.com", IbType = "toggle-me" });
        await RunsReachAsync(ib, RunStatus.Waiting, 1);

        await SetOnAsync(ib, workflowId, on: false);
        Assert.Equal(RunStatus.Paused, Assert.Single(await App.RunsOfAsync(ib.TenantId)).Status);
        var during = await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "during@example.com", IbType = "toggle-me" });
        Assert.Equal(0, await fixture.PassAsync(TimeSpan.FromHours(2)));
        Assert.Single(await App.RunsOfAsync(ib.TenantId));
        Assert.DoesNotContain((await App.LeadsOfAsync(ib.TenantId)).Single(l => l.Id == before).Tags, t => t.Slug == "finished");

        await SetOnAsync(ib, workflowId, on: true);
        await RunsReachAsync(ib, RunStatus.Completed, 1);
        var leads = await App.LeadsOfAsync(ib.TenantId);
        Assert.Contains(leads.Single(l => l.Id == before).Tags, t => t.Slug == "finished");
        Assert.DoesNotContain(leads.Single(l => l.Id == during).Tags, t => t.Slug == "finished");
        Assert.Single(await App.RunsOfAsync(ib.TenantId));
    }

    [Fact]
    public async Task Reentry_IsOffByDefault_AndWhenOn_AllowsAnotherRunAfterTheFirstEnds()
    {
        var ib = await App.SeedIbAsync("reentry@engine.test", "Reentry IB");
        var once = await App.PublishWorkflowAsync(ib.TenantId, "Once", new WorkflowTrigger(TriggerKind.Manual, null), [new AddTagStep("once")]);
        var again = await App.PublishWorkflowAsync(ib.TenantId, "Again", new WorkflowTrigger(TriggerKind.Manual, null), [new AddTagStep("again")], allowReentry: true);
        var lead = ib.LeadIds.Count > 0 ? ib.LeadIds[0] : await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "loop@example.com" });

        for (var i = 0; i < 2; i++)
        {
            await EnrolAsync(ib, once, lead);
            await EnrolAsync(ib, again, lead);
            await RunsReachAsync(ib, RunStatus.Completed, i + 2);
        }

        var runs = await App.RunsOfAsync(ib.TenantId);
        Assert.Single(runs, r => r.WorkflowId == once);
        Assert.Equal(2, runs.Count(r => r.WorkflowId == again));
    }

    private async Task EnrolAsync(SeededIb ib, Guid workflowId, Guid leadId)
    {
        await using var scope = App.Services.CreateAsyncScope();
        using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(ib.TenantId))
        {
            await scope.ServiceProvider.GetRequiredService<Enrolments>().EnrolByHandAsync(workflowId, [leadId], TestContext.Current.CancellationToken);
        }
    }

    private async Task EditAndPublishAsync(SeededIb ib, Guid workflowId, IReadOnlyList<WorkflowStep> steps)
    {
        await using var scope = App.Services.CreateAsyncScope();
        using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(ib.TenantId))
        {
            var editor = scope.ServiceProvider.GetRequiredService<WorkflowEditor>();
            var workflow = await editor.FindAsync(workflowId, TestContext.Current.CancellationToken);
            await editor.SaveDraftAsync(workflow!, workflow!.Draft with { Steps = steps }, TestContext.Current.CancellationToken);
            Assert.Empty(await editor.PublishAsync(workflow, TestContext.Current.CancellationToken));
        }
    }

    private async Task SetOnAsync(SeededIb ib, Guid workflowId, bool on)
    {
        await using var scope = App.Services.CreateAsyncScope();
        using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(ib.TenantId))
        {
            var editor = scope.ServiceProvider.GetRequiredService<WorkflowEditor>();
            Assert.Null(await editor.SetOnAsync((await editor.FindAsync(workflowId, TestContext.Current.CancellationToken))!, on, TestContext.Current.CancellationToken));
        }
    }

    private Task RunsReachAsync(SeededIb ib, RunStatus status, int count) =>
        Eventually.HoldsAsync(async () => (await App.RunsOfAsync(ib.TenantId)).Count(r => r.Status == status) == count, $"{count} runs {status}");

    /// <summary>Waits until exactly <paramref name="count"/> emails are sent and every run is parked (waiting or ended), so moving the clock is safe.</summary>
    private async Task SentAsync(SeededIb ib, int count)
    {
        await Eventually.HoldsAsync(async () => (await App.MessagesOfAsync(ib.TenantId)).Count(m => m.Status == EmailStatus.Sent) == count, $"{count} emails sent");
        await Eventually.HoldsAsync(
            async () => (await App.RunsOfAsync(ib.TenantId)).All(r => r.Status != RunStatus.Running && !(r.Status == RunStatus.Waiting && r.DueAt <= fixture.Clock.GetUtcNow())),
            "every run parked in a future wait or ended");
    }
}
