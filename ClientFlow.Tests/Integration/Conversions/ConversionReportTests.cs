using System.Net;
using ClientFlow.Automation.Conversions;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Templates;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Conversions;

/// <summary>
/// The conversion report and the editor's step figures, from real sends, real clicks on referral links (a person's and a
/// scanner's) and real postbacks: clicks, registered, funded and qualified leads per broker connection, per workflow
/// (with its FTD rate) and per email, week by week; beside each step, the runs that reached it and wait there, and for
/// the send, its emails sent, opened, clicked and the leads funded after it.
/// </summary>
public abstract class ConversionReportTests<TDatabase> : IAsyncLifetime
    where TDatabase : TestDatabase, new()
{
    private readonly TDatabase _database = new();
    private ClientFlowAppFactory _app = null!;

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        _app = new ClientFlowAppFactory(_database);
        await _app.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task TheReport_CountsEachRungPerConnectionWorkflowAndEmail_AndTheEditorShowsEachStepsFigures()
    {
        var ib = await _app.SeedIbAsync("report@conversions.test", "Report IB");
        var other = await _app.SeedIbAsync("other-report@conversions.test", "Other Report IB");
        var (xm, xmToken) = await _app.ConnectBrokerAsync(ib.TenantId, "XM", "https://xm.example/register?subid={subid}");
        var (_, exnessToken) = await _app.ConnectBrokerAsync(ib.TenantId, "Exness", "https://exness.example/register?subid={subid}");
        var (_, othersToken) = await _app.ConnectBrokerAsync(other.TenantId, "XM", "https://xm.example/register?subid={subid}");
        var template = await _app.CreateTemplateAsync(ib.TenantId, "Open your XM account", "Open your XM account", "<p><a href=\"{{ referral_link \"XM\" }}\">Open your XM account</a></p>");
        var offer = await _app.PublishWorkflowAsync(ib.TenantId, "Offer", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new SendEmailStep(template.Id), new WaitStep(1, WaitUnit.Days)]);
        var idle = await _app.PublishWorkflowAsync(ib.TenantId, "Idle", new WorkflowTrigger(TriggerKind.Manual, null), [new ExitStep()]);

        foreach (var email in new[] { "clicker@example.com", "scanned@example.com", "quiet@example.com" })
        {
            await _app.CaptureAsync(ib.TenantId, new LeadInput { Email = email });
        }

        await Eventually.HoldsAsync(async () => (await _app.MessagesOfAsync(ib.TenantId)) is { Count: 3 } sent && sent.All(m => m.Status == EmailStatus.Sent), "the three offers are sent");
        await Eventually.HoldsAsync(async () => (await _app.RunsOfAsync(ib.TenantId)).All(r => r.Status == Automation.Engine.RunStatus.Waiting), "the three runs wait");
        var messages = await _app.MessagesOfAsync(ib.TenantId);
        var leads = (await _app.LeadsOfAsync(ib.TenantId)).ToDictionary(l => l.Email);

        // A person clicks one lead's referral link, a mail scanner another's: only the person's is a click.
        using var http = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await ClickAsync(http, messages.Single(m => m.LeadId == leads["clicker@example.com"].Id), userAgent: null);
        await ClickAsync(http, messages.Single(m => m.LeadId == leads["scanned@example.com"].Id), userAgent: "Mimecast Safe Links");

        // XM funds and qualifies the clicker; Exness funds the scanned lead; another IB's postback with this IB's sub-id counts nowhere here.
        await PostbackAsync(http, xmToken, $"subid={leads["clicker@example.com"].Ref}&event=registration&uid=c1");
        await PostbackAsync(http, xmToken, $"subid={leads["clicker@example.com"].Ref}&event=ftd&amount=250&currency=USD&txid=c2");
        await PostbackAsync(http, xmToken, $"subid={leads["clicker@example.com"].Ref}&event=qualified&txid=c3");
        await PostbackAsync(http, exnessToken, $"subid={leads["scanned@example.com"].Ref}&event=ftd&amount=100&currency=EUR&txid=s1");
        await PostbackAsync(http, othersToken, $"subid={leads["quiet@example.com"].Ref}&event=ftd&amount=999&currency=USD&txid=o1");
        await Eventually.HoldsAsync(
            async () => (await _app.LeadsOfAsync(ib.TenantId)).Count(l => l.FundedAt is not null) == 2
                && (await _app.LeadsOfAsync(ib.TenantId)).Any(l => l.QualifiedAt is not null),
            "the postbacks settle");

        using var client = _app.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);
        var page = await client.GetDocumentAsync("/Conversions/Report");
        Assert.Equal(("1", "1", "1", "1", "250 USD"), Row(page, "by-connection", "XM", "clicks", "registered", "funded", "qualified", "amount"));
        Assert.Equal(("0", "1", "1", "0", "100 EUR"), Row(page, "by-connection", "Exness", "clicks", "registered", "funded", "qualified", "amount"));
        Assert.Equal(("3", "1", "2", "2", "66.7%"), Row(page, "by-workflow", "Offer", "entered", "clicks", "registered", "funded", "rate"));
        Assert.Equal(("0", "0", "0", "0", "–"), Row(page, "by-workflow", "Idle", "entered", "clicks", "registered", "funded", "rate"));
        Assert.Equal(("3", "1", "2", "2", "1"), Row(page, "by-email", template.Name, "entered", "clicks", "registered", "funded", "qualified"));
        var weeks = page.QuerySelectorAll("[data-testid=week-row]");
        Assert.Equal(ConversionReport.Weeks, weeks.Length);
        Assert.Equal(["1", "2", "2"], weeks[^1].QuerySelectorAll("td").Select(c => c.TextContent));
        Assert.All(weeks.SkipLast(1), w => Assert.Equal(["0", "0", "0"], w.QuerySelectorAll("td").Select(c => c.TextContent)));

        // The chart library is the app's own copy, not a CDN's.
        var chart = page.QuerySelectorAll("script[src]").Select(s => s.GetAttribute("src")!).Single(s => s.Contains("chart", StringComparison.Ordinal) && s.Contains("lib", StringComparison.Ordinal));
        Assert.StartsWith("/lib/chart.js/", chart, StringComparison.Ordinal);
        using (var library = await http.GetAsync(chart, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, library.StatusCode);
            Assert.Contains("Chart.js v4", await library.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }

        // The other IB sees its own unmatched FTD and nothing of this IB's.
        using var otherClient = _app.CreatePageClient();
        await otherClient.LogInOrFailAsync(other.Email);
        var othersPage = await otherClient.GetDocumentAsync("/Conversions/Report");
        Assert.Equal(("0", "0", "0", "0", "–"), Row(othersPage, "by-connection", "XM", "clicks", "registered", "funded", "qualified", "amount"));
        Assert.Null(othersPage.QuerySelector("[data-testid=by-workflow]"));

        // The editor: the send was reached by three runs and sent three emails; one was opened and clicked (a click is an open), two leads funded after; all three runs wait at the wait.
        var editor = await client.GetDocumentAsync($"/Workflows/{offer}");
        Assert.Equal("3 reached, 0 waiting here now; 3 sent, 1 opened, 1 clicked, 2 funded after", editor.QuerySelector("li[data-path='0'] [data-testid=step-figures]")?.TextContent);
        Assert.Equal("3 reached, 3 waiting here now", editor.QuerySelector("li[data-path='1'] [data-testid=step-figures]")?.TextContent);
        Assert.Equal("0 reached, 0 waiting here now", (await client.GetDocumentAsync($"/Workflows/{idle}")).QuerySelector("li[data-path='0'] [data-testid=step-figures]")?.TextContent);
        Assert.Equal(xm.Id, (await _app.AsTenantAsync(ib.TenantId, db => db.ReferralClicks.SingleAsync(c => !c.IsMachine, TestContext.Current.CancellationToken))).ConnectionId);
    }

    private static (string, string, string, string, string) Row(AngleSharp.Dom.IDocument page, string table, string name, params string[] figures)
    {
        var row = page.QuerySelectorAll($"[data-testid={table}] [data-testid=funnel-row]").SingleOrDefault(r => r.GetAttribute("data-name") == name);
        Assert.True(row is not null, $"{table} has no row {name}: {page.QuerySelector($"[data-testid={table}]")?.TextContent}");
        var cells = figures.Select(f => row.QuerySelector($"[data-figure={f}]")?.TextContent.Trim() ?? "(none)").ToArray();
        return (cells[0], cells[1], cells[2], cells[3], cells[4]);
    }

    private static async Task ClickAsync(HttpClient http, EmailMessage message, string? userAgent)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(EmailLinks.Referral(message.HtmlBody)!).PathAndQuery);
        if (userAgent is not null)
        {
            request.Headers.UserAgent.ParseAdd(userAgent);
        }

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    private static async Task PostbackAsync(HttpClient http, string token, string query)
    {
        using var response = await http.GetAsync($"/postbacks/{token}?{query}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

public sealed class SqliteConversionReportTests : ConversionReportTests<SqliteTestDatabase>;
