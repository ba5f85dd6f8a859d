using System.Net;
using System.Text.RegularExpressions;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Notifications;

/// <summary>
/// What an IB may send a day through the shared sender and SMS account: test emails, notifications and text messages,
/// each limited (an admin sets an IB's own figure, audited); text messages only to a number the IB confirmed with a code.
/// </summary>
public sealed partial class DailyLimitTests(NotifyingApp fixture) : IClassFixture<NotifyingApp>
{
    private ClientFlowAppFactory App => fixture.App;

    [Fact]
    public async Task ALimitReached_StaysRefusedThatDay_UntilAnAdminChangesIt_AndATakeRolledBackNeverCountsAsReached()
    {
        var ib = await App.SeedIbAsync("reached@limits.test", "Reached");
        await App.SetDailyTestSendsAsync(ib.TenantId, 2);

        // A scope that takes the last one and then finds the limit reached by its own take, uncommitted, and rolls back:
        // the count that stays is one, so the next take elsewhere goes through.
        await using (var scope = App.Services.CreateAsyncScope())
        using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(ib.TenantId))
        {
            Assert.True(await App.TryTakeDailyAsync(ib.TenantId, DailyLimitKind.TestSends));
            var db = scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>();
            var allowance = scope.ServiceProvider.GetRequiredService<DailyAllowance>();
            await using var transaction = await db.Database.BeginTransactionAsync(TestContext.Current.CancellationToken);
            Assert.True(await allowance.TryTakeAsync(ib.TenantId, DailyLimitKind.TestSends, TestContext.Current.CancellationToken));
            Assert.False(await allowance.TryTakeAsync(ib.TenantId, DailyLimitKind.TestSends, TestContext.Current.CancellationToken));
            await transaction.RollbackAsync(TestContext.Current.CancellationToken);
        }

        Assert.True(await App.TryTakeDailyAsync(ib.TenantId, DailyLimitKind.TestSends));
        Assert.False(await App.TryTakeDailyAsync(ib.TenantId, DailyLimitKind.TestSends));
        Assert.False(await App.TryTakeDailyAsync(ib.TenantId, DailyLimitKind.TestSends));

        // Raised by an admin: the node that saw the old limit reached takes again, up to the new one.
        await App.SetDailyTestSendsAsync(ib.TenantId, 3);
        Assert.True(await App.TryTakeDailyAsync(ib.TenantId, DailyLimitKind.TestSends));
        Assert.False(await App.TryTakeDailyAsync(ib.TenantId, DailyLimitKind.TestSends));
        Assert.Equal(3, await App.AsTenantAsync(ib.TenantId, db => db.DailyUsages.SumAsync(u => u.Used, TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task AnAdminSetsAnIbsTestEmailLimit_Audited_AndTheTestBeyondItIsRefused()
    {
        var ib = await App.SeedIbAsync("tests@daily.test", "Tests IB");
        var template = await App.CreateTemplateAsync(ib.TenantId, "Welcome", "Welcome", "<p>Hi</p>");

        using var admin = App.CreatePageClient();
        await admin.LogInOrFailAsync(ClientFlowAppFactory.AdminEmail);
        using (var refused = await admin.SubmitFormAsync($"/Admin/Tenants/{ib.TenantId}", new Dictionary<string, string> { ["Limits.TestSends"] = "-1" }, "form[data-testid=daily-limits-form]"))
        {
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
            var page = await PageClient.ParseAsync(refused);
            Assert.Contains("from 0 to", page.QuerySelector("[data-valmsg-for='Limits.TestSends']")?.TextContent, StringComparison.Ordinal);
        }

        using (var saved = await admin.SubmitFormAsync($"/Admin/Tenants/{ib.TenantId}", new Dictionary<string, string> { ["Limits.TestSends"] = "2", ["Limits.Notifications"] = "", ["Limits.Sms"] = "" }, "form[data-testid=daily-limits-form]"))
        {
            Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        }

        await using (var scope = App.Services.CreateAsyncScope())
        {
            var audit = await scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>().AuditEntries
                .SingleAsync(a => a.Action == "admin.tenant.daily-limits" && a.TenantId == ib.TenantId, TestContext.Current.CancellationToken);
            Assert.Equal("test sends default -> 2, notifications default -> default, sms default -> default", audit.Detail);
        }

        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);
        for (var i = 0; i < 3; i++)
        {
            using var sent = await client.SubmitFormAsync($"/Templates/{template.Id}", new Dictionary<string, string>(), "form[action*='handler=SendTest']");
            Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        }

        Assert.Contains("You have sent your 2 test emails for today", (await client.GetDocumentAsync($"/Templates/{template.Id}")).Body!.TextContent, StringComparison.Ordinal);
        Assert.Equal(2, (await App.MessagesOfAsync(ib.TenantId)).Count(m => m.Kind == EmailKind.Test));
        Assert.Contains("2 of 2 test emails", (await client.GetDocumentAsync("/Settings")).QuerySelector("[data-testid=daily-usage]")?.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcurrentTakesAtTheLimit_TakeExactlyTheLimit()
    {
        var ib = await App.SeedIbAsync("race@daily.test", "Race IB");
        await App.SetDailyTestSendsAsync(ib.TenantId, 3);

        var takes = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => App.TryTakeDailyAsync(ib.TenantId, DailyLimitKind.TestSends))));

        Assert.Equal(3, takes.Count(taken => taken));
        Assert.False(await App.TryTakeDailyAsync(ib.TenantId, DailyLimitKind.TestSends));
        Assert.True(await App.TryTakeDailyAsync(ib.TenantId, DailyLimitKind.Sms)); // each limit counts on its own
    }

    [Fact]
    public async Task NotificationsBeyondTheDailyLimit_AreNotSent_AndTheRunSaysWhy()
    {
        var ib = await App.SeedIbAsync("notices@daily.test", "Notices IB");
        await App.AsTenantAsync(ib.TenantId, db => db.Tenants.Where(t => t.Id == ib.TenantId)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.DailyNotifications, 1), TestContext.Current.CancellationToken));
        await App.PublishWorkflowAsync(ib.TenantId, "Ping me", new WorkflowTrigger(TriggerKind.LeadCaptured, null),
            [new NotifyStep(NotifyChannel.Webhook, fixture.Receiver.BaseUrl + "/hooks/daily", "Lead {{ email }}"), new AddTagStep("pinged")]);

        await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "first@example.com" });
        await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "second@example.com" });

        await Eventually.HoldsAsync(async () => (await App.LeadsOfAsync(ib.TenantId)).All(l => l.Tags.Any(t => t.Slug == "pinged")), "both runs pass the notify step");
        var steps = new List<string>();
        foreach (var run in await App.RunsOfAsync(ib.TenantId))
        {
            steps.AddRange((await App.StepsOfAsync(ib.TenantId, run.Id)).Select(s => s.Outcome));
        }

        Assert.Single(steps, s => s.StartsWith("Webhook queued", StringComparison.Ordinal));
        Assert.Single(steps, s => s == "Not sent: the daily limit of 1 notifications is reached (more from midnight UTC)");
        await Eventually.HoldsAsync(() => Task.FromResult(fixture.Receiver.Received.Any(r => r.PathAndQuery == "/hooks/daily")), "the one notification arrives");
        Assert.Single(fixture.Receiver.Received, r => r.PathAndQuery == "/hooks/daily");
    }

    [Fact]
    public async Task TextMessages_GoOnlyToANumberTheIbConfirmedWithACode()
    {
        const string own = "+447700900555";
        var ib = await App.SeedIbAsync("texts@daily.test", "Texts IB");
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);

        // Before any number is confirmed, an SMS step does not publish.
        var problems = await PublishProblemsAsync(ib.TenantId, own);
        Assert.Contains(problems, p => p.Contains("confirm it in Settings first", StringComparison.Ordinal));

        using (var bad = await client.SubmitFormAsync("/Settings", new Dictionary<string, string> { ["phone"] = "07700 900555" }, "form[data-testid=phone-form]"))
        {
            Assert.Contains("international format", (await PageClient.ParseAsync(bad)).QuerySelector("[data-valmsg-for=phone]")?.TextContent, StringComparison.Ordinal);
        }

        using (var sent = await client.SubmitFormAsync("/Settings", new Dictionary<string, string> { ["phone"] = own }, "form[data-testid=phone-form]"))
        {
            Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
            Assert.NotNull((await PageClient.ParseAsync(sent)).QuerySelector("form[data-testid=phone-code-form]"));
        }

        var texted = fixture.Receiver.Received.Last(r => r.PathAndQuery.EndsWith("/Messages.json", StringComparison.Ordinal));
        var form = System.Web.HttpUtility.ParseQueryString(texted.Body);
        Assert.Equal(own, form["To"]);
        var code = Code().Match(form["Body"]!).Value;

        // A wrong code, or the right code for another number, confirms nothing.
        using (var wrong = await client.Http.PostAsync("/Settings?handler=ConfirmPhone", await FormWithTokenAsync(client, ("phone", own), ("code", code == "000000" ? "111111" : "000000")), TestContext.Current.CancellationToken))
        {
            Assert.Contains("not right", (await PageClient.ParseAsync(wrong)).QuerySelector("[data-valmsg-for=code]")?.TextContent, StringComparison.Ordinal);
        }

        using (var other = await client.Http.PostAsync("/Settings?handler=ConfirmPhone", await FormWithTokenAsync(client, ("phone", "+447700900999"), ("code", code)), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        }

        using (var right = await client.Http.PostAsync("/Settings?handler=ConfirmPhone", await FormWithTokenAsync(client, ("phone", own), ("code", code)), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        }

        Assert.Contains(own, (await client.GetDocumentAsync("/Settings")).QuerySelector("[data-testid=confirmed-phone]")?.TextContent, StringComparison.Ordinal);

        // Now its own number publishes and is texted; another number does not publish.
        Assert.Contains(await PublishProblemsAsync(ib.TenantId, "+447700900999"), p => p.Contains($"only to your own confirmed mobile number ({own})", StringComparison.Ordinal));
        Assert.Empty(await PublishProblemsAsync(ib.TenantId, own, turnOn: true));
        await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "sms-lead@example.com" });
        await Eventually.HoldsAsync(
            () => Task.FromResult(fixture.Receiver.Received.Any(r => r.PathAndQuery.EndsWith("/Messages.json", StringComparison.Ordinal) && r.Body.Contains("sms-lead%40example.com", StringComparison.Ordinal))),
            "the notify step's text arrives");

        // The code and the notification both count as text messages.
        Assert.Contains("2 of 50 text messages", (await client.GetDocumentAsync("/Settings")).QuerySelector("[data-testid=daily-usage]")?.TextContent, StringComparison.Ordinal);
    }

    private async Task<IReadOnlyList<string>> PublishProblemsAsync(Guid tenantId, string number, bool turnOn = false)
    {
        await using var scope = App.Services.CreateAsyncScope();
        using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(tenantId))
        {
            var editor = scope.ServiceProvider.GetRequiredService<WorkflowEditor>();
            var (workflow, error) = await editor.CreateAsync($"Text {Guid.NewGuid():N}", new WorkflowDefinition(new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new NotifyStep(NotifyChannel.Sms, number, "New lead {{ email }}")]), TestContext.Current.CancellationToken);
            Assert.Null(error);
            var problems = await editor.PublishAsync(workflow!, TestContext.Current.CancellationToken);
            if (turnOn && problems.Count == 0)
            {
                Assert.Null(await editor.SetOnAsync(workflow!, on: true, TestContext.Current.CancellationToken));
            }

            return problems;
        }
    }

    /// <summary>The confirm form appears only after a code is sent, so its fields are posted with the page's antiforgery token.</summary>
    private static async Task<FormUrlEncodedContent> FormWithTokenAsync(PageClient client, params (string Name, string Value)[] fields)
    {
        var page = await client.GetDocumentAsync("/Settings");
        var token = page.QuerySelector("form[data-testid=phone-form] input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        return new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)).Append(new("__RequestVerificationToken", token)));
    }

    [GeneratedRegex("[0-9]{6}")]
    private static partial Regex Code();
}
