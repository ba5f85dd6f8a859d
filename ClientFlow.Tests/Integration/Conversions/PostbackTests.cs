using System.Net;
using System.Text.Json;
using ClientFlow.Automation.Conversions;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Webhooks;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Tests.Integration.Conversions;

public sealed class PostbackApp : SqliteApp;

/// <summary>
/// Broker postbacks: a connection made on /Conversions gives postback URLs with the platform's macros; a postback is
/// stored and answered 200 at once, then settled once on the lead whose <c>ref</c> is its sub-id, whatever the order,
/// however often it is repeated, and taken back by a reversal; another IB's token, an unknown sub-id and an unknown
/// token change nothing of this IB's.
/// </summary>
public sealed class PostbackTests(PostbackApp fixture) : IClassFixture<PostbackApp>
{
    private ClientFlowAppFactory App => fixture.App;

    [Fact]
    public async Task AnFtd_FundsTheLeadOnce_ARepeatChangesNothing_AndAReversalTakesItBack()
    {
        var ib = await App.SeedIbAsync("ftd@postback.test", "Ftd IB");
        var (token, urls) = await ConnectAsync(ib, "XM", BrokerPlatform.Custom, "https://xm.example/register?subid={subid}");
        Assert.StartsWith("http://localhost/postbacks/", urls["ftd"], StringComparison.Ordinal);
        var reference = await CaptureAsync(ib, "funded@example.com");

        using var http = App.CreateClient();
        Assert.True(await PostbackAsync(http, token, $"subid={reference}&event=ftd&amount=250&currency=usd&txid=1"));
        var lead = await SettledAsync(ib, "funded@example.com", l => l.FundedAt is not null);
        Assert.Equal((LeadStage.Funded, 250m, "USD"), (lead.Stage, lead.FtdAmount, lead.FtdCurrency));
        Assert.Contains(lead.Tags, t => t.Slug == Postbacks.FundedTag);
        Assert.NotNull(lead.RegisteredAt); // an FTD implies the registration, whichever arrives first
        using var dashboard = App.CreatePageClient();
        await dashboard.LogInOrFailAsync(ib.Email);
        var page = await dashboard.GetDocumentAsync("/");
        Assert.Equal("1", page.QuerySelector("[data-testid=funnel-convert]")?.TextContent);
        Assert.Contains("1 this month (250 USD), 250 USD in all", page.QuerySelector("[data-stage=convert]")?.TextContent, StringComparison.Ordinal);

        // The platform retries the same event: stored once, counted once.
        Assert.False(await PostbackAsync(http, token, $"subid={reference}&event=ftd&amount=250&currency=usd&txid=1"));
        Assert.Single(await EventsAsync(ib));

        // The registration arrives late, then a deposit: Active. Then the FTD is reversed: back to Registered, untagged.
        Assert.True(await PostbackAsync(http, token, $"subid={reference}&event=registration&uid=u-77"));
        Assert.True(await PostbackAsync(http, token, $"subid={reference}&event=deposit&amount=100&txid=2"));
        await SettledAsync(ib, "funded@example.com", l => l.ActiveAt is not null);
        Assert.True(await PostbackAsync(http, token, $"subid={reference}&event=reversal&txid=1"));
        lead = await SettledAsync(ib, "funded@example.com", l => l.FundedAt is null);
        Assert.Equal(LeadStage.Registered, lead.Stage);
        Assert.Null(lead.ActiveAt);
        Assert.DoesNotContain(lead.Tags, t => t.Slug == Postbacks.FundedTag);
        Assert.Equal(4, (await EventsAsync(ib)).Count);
        Assert.Equal("0", (await dashboard.GetDocumentAsync("/")).QuerySelector("[data-testid=funnel-convert]")?.TextContent);
    }

    [Fact]
    public async Task AReversalThatArrivesFirst_TakesBackItsEventWhenItComes()
    {
        var ib = await App.SeedIbAsync("early@postback.test", "Early IB");
        var (token, _) = await ConnectAsync(ib, "Exness", BrokerPlatform.Custom, "https://exness.example/a/{subid}");
        var reference = await CaptureAsync(ib, "early@example.com");
        using var http = App.CreateClient();

        Assert.True(await PostbackAsync(http, token, $"subid={reference}&event=reversal&txid=9"));
        Assert.True(await PostbackAsync(http, token, $"subid={reference}&event=ftd&amount=50&txid=9"));
        await Eventually.HoldsAsync(async () => (await EventsAsync(ib)).Count == 2, "both events processed");
        var lead = (await App.LeadsOfAsync(ib.TenantId)).Single();
        Assert.Null(lead.FundedAt);
        Assert.True((await EventsAsync(ib)).Single(e => e.Kind == BrokerEventKind.Ftd).Reversed);
    }

    [Fact]
    public async Task APresetsOwnNames_AreRead_AndAUidCountsOnceWhenThereIsNoTxid()
    {
        var ib = await App.SeedIbAsync("cellxpert@postback.test", "Cellxpert IB");
        var (token, urls) = await ConnectAsync(ib, "Axi", BrokerPlatform.Cellxpert, "https://axi.example/register?afp={subid}");
        Assert.Contains("afp={afp}", urls["ftd"], StringComparison.Ordinal);
        Assert.Contains("transaction_sum=[transaction_sum]", urls["ftd"], StringComparison.Ordinal);
        var reference = await CaptureAsync(ib, "axi@example.com");
        using var http = App.CreateClient();

        Assert.True(await PostbackAsync(http, token, $"afp={reference}&event=ftd&transaction_sum=120.50&userid=trader-5"));
        Assert.False(await PostbackAsync(http, token, $"afp={reference}&event=ftd&transaction_sum=120.50&userid=trader-5"));
        var lead = await SettledAsync(ib, "axi@example.com", l => l.FundedAt is not null);
        Assert.Equal(120.50m, lead.FtdAmount);
        Assert.Equal("u:trader-5", (await EventsAsync(ib)).Single().DedupeKey);
    }

    [Fact]
    public async Task AnotherIbsToken_WithThisIbsSubId_ChangesNothingHere_AndIsUnmatchedThere_UntilMatchedByHand()
    {
        var ib = await App.SeedIbAsync("mine@postback.test", "Mine IB");
        var other = await App.SeedIbAsync("theirs@postback.test", "Theirs IB");
        var reference = await CaptureAsync(ib, "mine@example.com");
        var (othersToken, _) = await ConnectAsync(other, "Other broker", BrokerPlatform.Custom, "https://other.example/?s={subid}");
        using var http = App.CreateClient();

        Assert.True(await PostbackAsync(http, othersToken, $"subid={reference}&event=ftd&amount=999&txid=x1"));
        await Eventually.HoldsAsync(async () => (await EventsAsync(other)).Count == 1, "the other IB's postback is processed");
        Assert.Null((await App.LeadsOfAsync(ib.TenantId)).Single().FundedAt);
        Assert.Empty(await EventsAsync(ib));
        Assert.Null((await EventsAsync(other)).Single().LeadId);

        // The other IB sees it unmatched and matches it to its own lead by email.
        await App.CaptureAsync(other.TenantId, new LeadInput { Email = "theirs-lead@example.com" });
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(other.Email);
        var page = await client.GetDocumentAsync("/Conversions");
        Assert.Contains(reference, page.QuerySelector("[data-testid=unmatched-postback]")?.TextContent, StringComparison.Ordinal);
        using (var wrong = await client.SubmitFormAsync("/Conversions", new Dictionary<string, string> { ["email"] = "mine@example.com" }, "[data-testid=unmatched-postback] form"))
        {
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode); // this IB's lead is not the other IB's to match
        }

        Assert.Null((await App.LeadsOfAsync(ib.TenantId)).Single().FundedAt);
        using (var matched = await client.SubmitFormAsync("/Conversions", new Dictionary<string, string> { ["email"] = "theirs-lead@example.com" }, "[data-testid=unmatched-postback] form"))
        {
            Assert.Equal(HttpStatusCode.Redirect, matched.StatusCode);
        }

        Assert.Equal(999m, (await App.LeadsOfAsync(other.TenantId)).Single().FtdAmount);
    }

    [Fact]
    public async Task AnUnknownToken_Is404_AndAnAddressOutsideTheAllowlist_Is403_StoringNothing()
    {
        var ib = await App.SeedIbAsync("guarded@postback.test", "Guarded IB");
        var (token, _) = await ConnectAsync(ib, "Guarded", BrokerPlatform.Custom, "https://guarded.example/?s={subid}", allowedIps: "203.0.113.0/24");
        var before = await App.AsTenantAsync(ib.TenantId, db => db.InboundEvents.CountAsync(e => e.Source == InboundSource.BrokerPostback, TestContext.Current.CancellationToken));
        using var http = App.CreateClient();

        using (var unknown = await http.GetAsync("/postbacks/not-a-token?subid=a&event=ftd", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using (var outside = await http.GetAsync($"/postbacks/{token}?subid=a&event=ftd", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Forbidden, outside.StatusCode);
            Assert.Equal("application/problem+json", outside.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(before, await App.AsTenantAsync(ib.TenantId, db => db.InboundEvents.CountAsync(e => e.Source == InboundSource.BrokerPostback, TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task TheConnectionForm_RefusesALinkWithoutTheSubIdPlaceholder()
    {
        var ib = await App.SeedIbAsync("form@postback.test", "Form IB");
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);
        using var refused = await client.SubmitFormAsync("/Conversions", new Dictionary<string, string>
        {
            ["Input.Name"] = "No placeholder",
            ["Input.Platform"] = "Affise",
            ["Input.ReferralLink"] = "https://broker.example/register",
        }, "form[data-testid=connection-form]");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var page = await PageClient.ParseAsync(refused);
        Assert.Contains("?sub1={subid}", page.QuerySelector("[data-valmsg-for='Input.ReferralLink']")?.TextContent, StringComparison.Ordinal);
        Assert.Equal(0, await App.AsTenantAsync(ib.TenantId, db => db.BrokerConnections.CountAsync(TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task TheReadmesWorkedPostbackOfEachPlatform_FundsTheLeadWith250()
    {
        const string readmeRef = "k3j9x2m4p7q1";
        var readme = await File.ReadAllTextAsync(FindUp("README.md"), TestContext.Current.CancellationToken);
        var block = readme[readme.IndexOf("<!-- postback-examples -->", StringComparison.Ordinal)..readme.IndexOf("<!-- /postback-examples -->", StringComparison.Ordinal)];
        var examples = System.Text.RegularExpressions.Regex.Matches(block, @"^\| (\w+) \| `/postbacks/TOKEN\?([^`]+)` \|$", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => (Platform: Enum.Parse<BrokerPlatform>(m.Groups[1].Value), Query: m.Groups[2].Value))
            .ToList();
        Assert.Equal(Enum.GetValues<BrokerPlatform>(), examples.Select(e => e.Platform).Order());

        var ib = await App.SeedIbAsync("readme@postback.test", "Readme IB");
        using var http = App.CreateClient();
        foreach (var (platform, query) in examples)
        {
            var (token, _) = await ConnectAsync(ib, platform.ToString(), platform, $"https://{platform}.example/register?s={{subid}}");
            var email = $"{platform}@readme.example";
            var reference = await CaptureAsync(ib, email);
            Assert.True(await PostbackAsync(http, token, query.Replace(readmeRef, reference, StringComparison.Ordinal)), $"{platform}: stored");
            var lead = await SettledAsync(ib, LeadInputRules.Normalize(new LeadInput { Email = email }).Email!, l => l.FundedAt is not null);
            Assert.Equal(250m, lead.FtdAmount);
        }
    }

    [Fact]
    public async Task ABrokerEventTrigger_EnrolsWhenALeadFirstReachesItsStage_AndAStageConditionStopsNurturingTheFunded()
    {
        var ib = await App.SeedIbAsync("react@postback.test", "React IB");
        var (token, _) = await ConnectAsync(ib, "Pepperstone", BrokerPlatform.Custom, "https://pepper.example/?s={subid}");
        // Registered: nudge to fund, unless already funded. Funded: a retention sequence.
        await App.PublishWorkflowAsync(ib.TenantId, "Fund nudge", new WorkflowTrigger(TriggerKind.BrokerEvent, null, BrokerEventKind.Registration),
            [new ConditionStep(new StageCondition(LeadStage.Funded), [new AddTagStep("skipped-nudge"), new ExitStep()], [new AddTagStep("nudged")])]);
        var retention = await App.PublishWorkflowAsync(ib.TenantId, "Retention", new WorkflowTrigger(TriggerKind.BrokerEvent, null, BrokerEventKind.Ftd), [new AddTagStep("retention")]);
        var registers = await CaptureAsync(ib, "registers@example.com");
        var deposits = await CaptureAsync(ib, "deposits@example.com");
        using var http = App.CreateClient();

        // Only registered: nudged, not retained.
        Assert.True(await PostbackAsync(http, token, $"subid={registers}&event=registration&uid=r1"));
        await Eventually.HoldsAsync(async () => await TagsOfAsync(ib, "registers@example.com") is var tags && tags.Contains("nudged"), "the registered lead is nudged");
        Assert.DoesNotContain("retention", await TagsOfAsync(ib, "registers@example.com"));

        // An FTD with no registration before it reaches Registered and Funded at once: retained, and the nudge sees Funded.
        Assert.True(await PostbackAsync(http, token, $"subid={deposits}&event=ftd&amount=100&txid=d1"));
        await Eventually.HoldsAsync(async () => await TagsOfAsync(ib, "deposits@example.com") is var tags && tags.Contains("retention") && tags.Contains("skipped-nudge"), "the funded lead is retained, not nudged");
        Assert.DoesNotContain("nudged", await TagsOfAsync(ib, "deposits@example.com"));

        // The registered lead deposits later: retained now. A second deposit (Active) and a repeat start nothing more.
        Assert.True(await PostbackAsync(http, token, $"subid={registers}&event=ftd&amount=40&txid=r2"));
        Assert.True(await PostbackAsync(http, token, $"subid={registers}&event=deposit&amount=40&txid=r3"));
        Assert.False(await PostbackAsync(http, token, $"subid={registers}&event=ftd&amount=40&txid=r2"));
        await Eventually.HoldsAsync(async () => await TagsOfAsync(ib, "registers@example.com") is var tags && tags.Contains("retention"), "the late depositor is retained");
        await SettledAsync(ib, "registers@example.com", l => l.ActiveAt is not null);
        var runs = await App.RunsOfAsync(ib.TenantId);
        Assert.Equal(2, runs.Count(r => r.WorkflowId == retention));
        Assert.Equal(4, runs.Count);

        // Only the stages a broker reports can start a workflow.
        Assert.Contains(PublishCheck.Problems(new WorkflowDefinition(new WorkflowTrigger(TriggerKind.BrokerEvent, null, BrokerEventKind.Deposit), [new ExitStep()]), new Dictionary<Guid, string>(), false), p => p.StartsWith("The trigger:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheEditor_OffersTheBrokerEventTrigger_AndTheStageCondition()
    {
        var ib = await App.SeedIbAsync("editor@postback.test", "Editor IB");
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);
        using var created = await client.SubmitFormAsync("/Workflows", new Dictionary<string, string>
        {
            ["Input.Name"] = "After the first deposit",
            ["Input.TriggerKind"] = nameof(TriggerKind.BrokerEvent),
            ["Input.TriggerEvent"] = nameof(BrokerEventKind.Qualified),
        }, "form[action*=Create]");
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var editor = created.Headers.Location!.OriginalString;
        using (var added = await client.SubmitFormAsync(editor, new Dictionary<string, string> { ["Step.Kind"] = "condition", ["Step.ConditionKind"] = "reached_stage", ["Step.ConditionStage"] = nameof(LeadStage.Active) }, "#add-step"))
        {
            Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        }

        var page = await client.GetDocumentAsync(editor);
        Assert.Equal("If has reached stage Active", page.QuerySelector("[data-testid=step] > div > span")?.TextContent.Trim());
        Assert.Equal(nameof(TriggerKind.BrokerEvent), page.QuerySelector("#Settings_TriggerKind option[selected]")?.GetAttribute("value"));
        Assert.Equal(nameof(BrokerEventKind.Qualified), page.QuerySelector("#Settings_TriggerEvent option[selected]")?.GetAttribute("value"));
        var draft = (await App.AsTenantAsync(ib.TenantId, db => db.Workflows.SingleAsync(TestContext.Current.CancellationToken))).Draft;
        Assert.Equal(new WorkflowTrigger(TriggerKind.BrokerEvent, null, BrokerEventKind.Qualified), draft.Trigger);
        Assert.Equal(new StageCondition(LeadStage.Active), Assert.IsType<ConditionStep>(Assert.Single(draft.Steps)).Condition);
        var list = await client.GetDocumentAsync("/Workflows");
        Assert.Contains("A broker reports the lead qualified", list.Body!.TextContent, StringComparison.Ordinal);
    }

    /// <summary>Adds a connection on /Conversions as the IB and returns its token and its postback URLs by event.</summary>
    private async Task<(string Token, Dictionary<string, string> Urls)> ConnectAsync(SeededIb ib, string name, BrokerPlatform platform, string link, string allowedIps = "")
    {
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);
        using var created = await client.SubmitFormAsync("/Conversions", new Dictionary<string, string>
        {
            ["Input.Name"] = name,
            ["Input.Platform"] = platform.ToString(),
            ["Input.ReferralLink"] = link,
            ["Input.AllowedIps"] = allowedIps,
        }, "form[data-testid=connection-form]");
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var page = await PageClient.ParseAsync(created);
        var urls = page.QuerySelectorAll("[data-testid=postback-url]").ToDictionary(e => e.GetAttribute("data-event")!, e => e.TextContent);
        Assert.Equal(["deposit", "ftd", "qualified", "registration", "reversal"], urls.Keys.Order(StringComparer.Ordinal));
        var token = new Uri(urls["ftd"]).AbsolutePath["/postbacks/".Length..];
        return (token, urls);
    }

    /// <summary>Captures a lead through the API and returns the <c>ref</c> its answer carries.</summary>
    private async Task<string> CaptureAsync(SeededIb ib, string email)
    {
        using var response = await App.PostLeadAsync(ib.ApiKey, new { email });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var reference = body.RootElement.GetProperty("ref").GetString()!;
        Assert.Equal(LeadRefs.Length, reference.Length);
        Assert.DoesNotContain(email.Split('@')[0], reference, StringComparison.Ordinal);
        return reference;
    }

    /// <summary>A postback by GET; true when the inbox stored it as new, false for a repeat.</summary>
    private static async Task<bool> PostbackAsync(HttpClient http, string token, string query)
    {
        using var response = await http.GetAsync($"/postbacks/{token}?{query}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return body.RootElement.GetProperty("stored").GetBoolean();
    }

    private async Task<Lead> SettledAsync(SeededIb ib, string email, Func<Lead, bool> settled)
    {
        await Eventually.HoldsAsync(async () => (await App.LeadsOfAsync(ib.TenantId)).Single(l => l.Email == email) is var lead && settled(lead), $"{email} settles");
        return (await App.LeadsOfAsync(ib.TenantId)).Single(l => l.Email == email);
    }

    private static string FindUp(string file)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, file)))
            {
                return Path.Combine(directory.FullName, file);
            }
        }

        throw new FileNotFoundException($"No {file} above {AppContext.BaseDirectory}.");
    }

    private async Task<List<string>> TagsOfAsync(SeededIb ib, string email) =>
        (await App.LeadsOfAsync(ib.TenantId)).Single(l => l.Email == email).Tags.Select(t => t.Slug).ToList();

    private Task<List<BrokerEvent>> EventsAsync(SeededIb ib) =>
        App.AsTenantAsync(ib.TenantId, db => db.BrokerEvents.AsNoTracking().ToListAsync(TestContext.Current.CancellationToken));
}
