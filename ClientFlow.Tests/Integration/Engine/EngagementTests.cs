using System.Net;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Webhooks;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using ClientFlow.Tests.Infrastructure.Smtp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace ClientFlow.Tests.Integration.Engine;

/// <summary>The app delivering by SMTP (so a mail server's instant image fetch can happen) with the clock under the test's control.</summary>
public class EngagementApp : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();

    public FakeTimeProvider Clock { get; } = new(TimeProvider.System.GetUtcNow());

    public SmtpTestServer Smtp { get; private set; } = null!;

    public ClientFlowAppFactory App { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Smtp = SmtpTestServer.Start();
        var settings = Smtp.AppSettings();
        foreach (var (key, value) in Settings)
        {
            settings[key] = value;
        }

        App = new ClientFlowAppFactory(_database, settings: settings, configureServices: services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
        });
        await App.StartAsync();

        // PassAsync counts what its own sweep hands out: the minute's recurring sweep must not take it first.
        App.RemoveRecurringSweeps();
    }

    /// <summary>Settings on top of SMTP delivery.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>();

    /// <summary>Moves the clock past a wait (and the sweep's grace) and wakes what is due.</summary>
    public async Task<int> PassAsync(TimeSpan wait)
    {
        Clock.Advance(wait + TimeSpan.FromMinutes(1));
        return await App.SweepRunsAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Smtp.DisposeAsync();
        await _database.DisposeAsync();
    }
}

/// <summary>
/// "If opened, waiting up to 3 days": a person's open (ClientFlow's pixel, or a Systeme.io workflow
/// webhook) resumes the run at once; without one the timeout takes the else-branch; machine opens do not count.
/// </summary>
public sealed class EngagementTests(EngagementApp fixture) : EngagementScenarios(fixture), IClassFixture<EngagementApp>
{

    [Fact]
    public async Task WaitingRun_IsResumedAtOnce_ByAPixelHit()
    {
        var (ib, lead, message) = await WaitingForAnOpenAsync("pixel");
        Fixture.Clock.Advance(TimeSpan.FromMinutes(3));

        await OpenAsync(message.Token, Browser);

        await BranchTakenAsync(ib, lead, "engaged");
        Assert.Equal(LeadStatus.Engaged, (await App.LeadsOfAsync(ib.TenantId)).Single(l => l.Id == lead).Status);
        var steps = await App.StepsOfAsync(ib.TenantId, (await App.RunsOfAsync(ib.TenantId)).Single().Id);
        Assert.Contains(steps, s => s.Outcome.StartsWith("Yes", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ms-office; MSOffice 16")]
    [InlineData("Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)")]
    public async Task WaitingRun_IsResumedAtOnce_ByAnOpenInOutlookForWindows(string outlook)
    {
        var (ib, lead, message) = await WaitingForAnOpenAsync($"outlook-{outlook.Length}");
        Fixture.Clock.Advance(TimeSpan.FromMinutes(3));

        await OpenAsync(message.Token, outlook);

        await BranchTakenAsync(ib, lead, "engaged");
        Assert.Equal(LeadStatus.Engaged, (await App.LeadsOfAsync(ib.TenantId)).Single(l => l.Id == lead).Status);
        Assert.Equal(0, (await App.MessagesOfAsync(ib.TenantId)).Single().MachineEvents);
    }

    [Fact]
    public async Task OfficeCheckingALink_IsNoClick()
    {
        var (ib, lead, message) = await WaitingForAnOpenAsync("office-link");
        Fixture.Clock.Advance(TimeSpan.FromMinutes(3));

        using var check = new HttpRequestMessage(HttpMethod.Get, $"/t/c/{message.Token}/0");
        check.Headers.UserAgent.ParseAdd("Microsoft Office Existence Discovery");
        using var response = await App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }).SendAsync(check, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        await Eventually.HoldsAsync(
            async () => (await App.MessagesOfAsync(ib.TenantId)).Single().MachineEvents == 1,
            "the link check is counted as a machine event");
        Assert.Null((await App.MessagesOfAsync(ib.TenantId)).Single().ClickedAt);
        Assert.Equal(LeadStatus.Nurturing, (await App.LeadsOfAsync(ib.TenantId)).Single(l => l.Id == lead).Status);
    }

    [Fact]
    public async Task WaitingRun_IsResumedAtOnce_ByASystemeWorkflowWebhook()
    {
        var (ib, lead, _) = await WaitingForAnOpenAsync("workflow-hook");
        var token = await App.IssueWebhookTokenAsync(ib.TenantId);

        using var content = new StringContent("""[{"type":"email.link.clicked","data":{"contact":{"id":77,"email":"workflow-hook@example.com"}}}]""", System.Text.Encoding.UTF8, "application/json");
        var response = await App.CreateClient().PostAsync($"/webhooks/systeme/t/{token}?event=opened&template=Welcome", content, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        await BranchTakenAsync(ib, lead, "engaged");
    }

    [Fact]
    public async Task WaitingRun_WithoutAnOpen_TimesOutToElse_AndMachineOpensDoNotCount()
    {
        var (ib, lead, message) = await WaitingForAnOpenAsync("machine");

        // A mail server fetching images on delivery (within seconds of it), then a link scanner: machine events, the run keeps waiting.
        await OpenAsync(message.Token, Browser);
        Fixture.Clock.Advance(TimeSpan.FromHours(1));
        await OpenAsync(message.Token, "Mozilla/5.0 (compatible; Barracuda Sentinel)");
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        var stored = (await App.MessagesOfAsync(ib.TenantId)).Single(m => m.Id == message.Id);
        Assert.Null(stored.OpenedAt);
        Assert.Equal(2, stored.MachineEvents);
        Assert.Equal(RunStatus.Waiting, (await App.RunsOfAsync(ib.TenantId)).Single().Status);
        Assert.Equal(LeadStatus.Nurturing, (await App.LeadsOfAsync(ib.TenantId)).Single(l => l.Id == lead).Status);

        // Not due yet: the sweep leaves it alone; at the timeout it takes the else-branch.
        Assert.Equal(0, await Fixture.PassAsync(TimeSpan.FromDays(1)));
        Assert.Equal(RunStatus.Waiting, (await App.RunsOfAsync(ib.TenantId)).Single().Status);
        await Fixture.PassAsync(TimeSpan.FromDays(2));
        await BranchTakenAsync(ib, lead, "cold");
        var steps = await App.StepsOfAsync(ib.TenantId, (await App.RunsOfAsync(ib.TenantId)).Single().Id);
        Assert.Contains(steps, s => s.Outcome == "No: timed out, else-branch");
    }

    [Fact]
    public async Task ClickRedirect_GoesOnlyToTheMessagesOwnLinks()
    {
        var (_, _, message) = await WaitingForAnOpenAsync("redirect");
        var client = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var own = await client.GetAsync($"/t/c/{message.Token}/0?url=https%3A%2F%2Fevil.example%2F", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, own.StatusCode);
        Assert.Equal("https://broker.example/open", own.Headers.Location?.OriginalString);

        var byUrl = await client.GetAsync($"/t/c/{message.Token}?url=https%3A%2F%2Fbroker.example%2Fopen", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, byUrl.StatusCode);
        Assert.Equal("https://broker.example/open", byUrl.Headers.Location?.OriginalString);

        foreach (var attempt in new[]
        {
            $"/t/c/{message.Token}?url=https%3A%2F%2Fevil.example%2F",
            $"/t/c/{message.Token}?url=https%3A%2F%2Fbroker.example%2Fopen%2F..%2F..%2Fevil",
            $"/t/c/{message.Token}?url=%2F%2Fevil.example",
            "/t/c/not-a-real-token?url=https%3A%2F%2Fbroker.example%2Fopen",
            $"/t/c/{message.Token}/1",
            $"/t/c/{message.Token}/-1",
            $"/t/c/{message.Token}/https%3A%2F%2Fevil.example",
            $"/t/c/{message.Token}/0/https://evil.example",
            "/t/c/not-a-real-token/0",
            $"/t/c/{message.Token}",
        })
        {
            var response = await client.GetAsync(attempt, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Null(response.Headers.Location);
        }
    }

    [Fact]
    public async Task ManyOpensAtTheSameInstant_EachCount()
    {
        const int opens = 16;
        var (ib, lead, message) = await WaitingForAnOpenAsync("open-burst");
        Fixture.Clock.Advance(TimeSpan.FromMinutes(3));

        await Task.WhenAll(Enumerable.Range(0, opens).Select(_ => OpenAsync(message.Token, Browser)));

        Assert.Equal(opens, (await App.MessagesOfAsync(ib.TenantId)).Single(m => m.Id == message.Id).OpenCount);
        await BranchTakenAsync(ib, lead, "engaged");
    }
}

/// <summary>The engagement app with <c>Tracking:CountMachineEvents</c> on.</summary>
public sealed class MachineCountingApp : EngagementApp
{
    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?> { ["Tracking:CountMachineEvents"] = "true" };
}

/// <summary>With <c>Tracking:CountMachineEvents</c> on, a scanner's click satisfies the condition at once, though the lead is not engaged by it.</summary>
public sealed class CountedMachineEventTests(MachineCountingApp fixture) : EngagementScenarios(fixture), IClassFixture<MachineCountingApp>
{
    [Fact]
    public async Task WaitingRun_IsResumedAtOnce_ByALinkScanner()
    {
        var (ib, lead, message) = await WaitingForAnOpenAsync("scanner");
        Fixture.Clock.Advance(TimeSpan.FromMinutes(3));

        using var click = new HttpRequestMessage(HttpMethod.Get, $"/t/c/{message.Token}/0");
        click.Headers.UserAgent.ParseAdd("Mozilla/5.0 (compatible; Barracuda Sentinel)");
        var response = await App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }).SendAsync(click, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        await BranchTakenAsync(ib, lead, "engaged");
        var stored = (await App.MessagesOfAsync(ib.TenantId)).Single(m => m.Id == message.Id);
        Assert.Equal((1, null), (stored.MachineEvents, stored.ClickedAt));
        Assert.Equal(LeadStatus.Nurturing, (await App.LeadsOfAsync(ib.TenantId)).Single(l => l.Id == lead).Status);
    }
}

/// <summary>A lead waiting in "if opened, up to 3 days" after its welcome was sent, and the ways to open it.</summary>
public abstract class EngagementScenarios(EngagementApp fixture)
{
    protected const string Browser = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";

    protected EngagementApp Fixture { get; } = fixture;

    protected ClientFlowAppFactory App => Fixture.App;

    protected async Task<(SeededIb Ib, Guid Lead, EmailMessage Message)> WaitingForAnOpenAsync(string name)
    {
        var ib = await App.SeedIbAsync($"{name}@engagement.test", name);
        var welcome = await App.CreateTemplateAsync(ib.TenantId, "Welcome", "Welcome", "<p>Hi <a href=\"https://broker.example/open\">open an account</a></p>");
        await App.PublishWorkflowAsync(ib.TenantId, "Wait for the open", new WorkflowTrigger(TriggerKind.LeadCaptured, null),
        [
            new SendEmailStep(welcome.Id),
            new ConditionStep(new OpenedCondition(welcome.Id), [new AddTagStep("engaged")], [new AddTagStep("cold")], new WaitStep(3, WaitUnit.Days)),
        ]);
        var lead = await App.CaptureAsync(ib.TenantId, new LeadInput { Email = $"{name}@example.com" });
        await Eventually.HoldsAsync(
            async () => (await App.RunsOfAsync(ib.TenantId)).SingleOrDefault() is { Status: RunStatus.Waiting, TimeoutAt: not null }
                && (await App.MessagesOfAsync(ib.TenantId)).Any(m => m.Status == EmailStatus.Sent),
            "the run waits for an open of its sent welcome");
        Assert.Equal(LeadStatus.Nurturing, (await App.LeadsOfAsync(ib.TenantId)).Single().Status);
        return (ib, lead, (await App.MessagesOfAsync(ib.TenantId)).Single());
    }

    protected async Task OpenAsync(string token, string userAgent)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/t/o/{token}");
        // Outlook's "ms-office; MSOffice 16" is no valid product list: sent as the client sends it.
        Assert.True(request.Headers.TryAddWithoutValidation("User-Agent", userAgent));
        var response = await App.CreateClient().SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal("image/gif", response.Content.Headers.ContentType?.MediaType);
    }

    protected Task BranchTakenAsync(SeededIb ib, Guid lead, string tag) =>
        Eventually.HoldsAsync(
            async () => (await App.RunsOfAsync(ib.TenantId)).Single().Status == RunStatus.Completed
                && (await App.LeadsOfAsync(ib.TenantId)).Single(l => l.Id == lead).Tags.Any(t => t.Slug == tag),
            $"the run completes through the branch that tags {tag}",
            TimeSpan.FromSeconds(15));
}
