using System.Net;
using AngleSharp.Html.Parser;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using ClientFlow.Tests.Infrastructure.Smtp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Security;

public sealed class RiskWarningApp : SmtpAppFixture;

/// <summary>
/// Each IB says what it promotes and chooses a risk warning (the FCA's CFD warning with its provider's percentage,
/// the FCA's crypto warning, or its own words); every marketing email carries it above the footer at the body's font
/// size, and a forex, CFD or crypto IB turns no workflow ON without one.
/// </summary>
public sealed class RiskWarningTests(RiskWarningApp fixture) : IClassFixture<RiskWarningApp>
{
    private ClientFlowAppFactory App => fixture.App;

    [Fact]
    public async Task AForexIbWithoutAWarning_TurnsNoWorkflowOn_AndSettingsSaysWhatIsMissing()
    {
        var ib = await App.SeedIbAsync("nowarning@risk.test", "No Warning IB");
        await SetAsync(ib.TenantId, null, RiskWarningKind.None); // as an account from before the rule
        Assert.Equal(RiskWarnings.Undeclared, await App.TryTurnOnNewWorkflowAsync(ib.TenantId));
        await SetAsync(ib.TenantId, PromotedProduct.Forex, RiskWarningKind.None);
        Assert.Equal(RiskWarnings.Missing, await App.TryTurnOnNewWorkflowAsync(ib.TenantId));

        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);
        await AssertRefusedAsync(client, new() { ["Risk.Promotes"] = "Forex", ["Risk.Warning"] = "None" }, "Risk.Warning", "must carry a risk warning");
        await AssertRefusedAsync(client, new() { ["Risk.Promotes"] = "Cfd", ["Risk.Warning"] = "FcaCfd", ["Risk.Percent"] = "" }, "Risk.Percent", "whole number from 1 to 100");
        await AssertRefusedAsync(client, new() { ["Risk.Promotes"] = "Cfd", ["Risk.Warning"] = "FcaCfd", ["Risk.Percent"] = "101" }, "Risk.Percent", "whole number from 1 to 100");
        await AssertRefusedAsync(client, new() { ["Risk.Promotes"] = "Crypto", ["Risk.Warning"] = "Custom", ["Risk.CustomText"] = new string('x', RiskWarnings.MaxCustomLength + 1) }, "Risk.CustomText", "at most");
        await AssertRefusedAsync(client, new() { ["Risk.Promotes"] = "", ["Risk.Warning"] = "FcaCrypto" }, "Risk.Promotes", "Choose what you promote");
        Assert.Equal(RiskWarnings.Missing, await App.TryTurnOnNewWorkflowAsync(ib.TenantId)); // nothing refused was saved

        // An IB that promotes something else needs no warning.
        await SaveAsync(client, new() { ["Risk.Promotes"] = "Other", ["Risk.Warning"] = "None" });
        Assert.Null(await App.TryTurnOnNewWorkflowAsync(ib.TenantId));

        // With workflows ON, a forex IB still cannot save itself without a warning.
        await AssertRefusedAsync(client, new() { ["Risk.Promotes"] = "Forex", ["Risk.Warning"] = "None" }, "Risk.Warning", "must carry a risk warning");
    }

    [Fact]
    public async Task EveryMarketingEmail_CarriesTheChosenWarning_AboveItsFooter_AtTheBodysFontSize()
    {
        var ib = await App.SeedIbAsync("warned@risk.test", "Warned IB");
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);
        await SaveAsync(client, new() { ["Risk.Promotes"] = "Cfd", ["Risk.Warning"] = "FcaCfd", ["Risk.Percent"] = "71" });
        var cfd = RiskWarnings.FcaCfdWarning(71);
        Assert.Equal(cfd, (await client.GetDocumentAsync("/Settings")).QuerySelector("[data-testid=current-risk-warning]")?.TextContent);
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var audit = await scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>().AuditEntries
                .SingleAsync(a => a.Action == "tenant.risk-warning" && a.TenantId == ib.TenantId, TestContext.Current.CancellationToken);
            Assert.Equal($"Cfd: {cfd}", audit.Detail);
        }

        var template = await App.CreateTemplateAsync(ib.TenantId, "Welcome", "Welcome", "<p>Hello {{ first_name }}, trade with us.</p>");
        await App.PublishWorkflowAsync(ib.TenantId, "Welcome", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new SendEmailStep(template.Id)]);
        await App.CaptureAsync(ib.TenantId, new Automation.Leads.LeadInput { Email = "warned-lead@example.com", Name = "Ada" });

        var message = await ReceivedAsync("warned-lead@example.com", 1);
        AssertWarnedAboveFooter(message.HtmlBody!, message.TextBody!, cfd, "Hello Ada");

        // The crypto preset, on "Send me a test" too: the test shows what a lead gets.
        await SaveAsync(client, new() { ["Risk.Promotes"] = "Crypto", ["Risk.Warning"] = "FcaCrypto" });
        using (var sent = await client.SubmitFormAsync($"/Templates/{template.Id}", new Dictionary<string, string>(), "form[action*='handler=SendTest']"))
        {
            Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        }

        var test = await ReceivedAsync(ib.Email, 1);
        AssertWarnedAboveFooter(test.HtmlBody!, test.TextBody!, RiskWarnings.FcaCrypto, "Hello");
        Assert.DoesNotContain("CFDs are complex", test.HtmlBody, StringComparison.Ordinal);
    }

    private static void AssertWarnedAboveFooter(string html, string text, string warning, string body)
    {
        var document = new HtmlParser().ParseDocument(html);
        var block = document.QuerySelector("p.risk-warning");
        Assert.NotNull(block);
        Assert.Equal(warning, block.TextContent);
        // No font size of its own: it takes the body's, as the FCA and ESMA ask (the footer is the small print).
        Assert.DoesNotContain("font-size", block.GetAttribute("style") ?? string.Empty, StringComparison.Ordinal);
        var bodyAt = html.IndexOf(body, StringComparison.Ordinal);
        var warningAt = html.IndexOf("class=\"risk-warning\"", StringComparison.Ordinal);
        var footerAt = html.IndexOf(">Unsubscribe</a>", StringComparison.Ordinal);
        Assert.True(bodyAt >= 0 && bodyAt < warningAt && warningAt < footerAt, $"body ({bodyAt}) < warning ({warningAt}) < footer ({footerAt})");

        var textWarningAt = text.IndexOf(warning, StringComparison.Ordinal);
        Assert.True(textWarningAt > 0 && textWarningAt < text.IndexOf("\n--\n", StringComparison.Ordinal), $"the text part carries the warning above its footer: {text}");
    }

    private async Task<MimeKit.MimeMessage> ReceivedAsync(string to, int count)
    {
        await Eventually.HoldsAsync(() => Task.FromResult(fixture.Smtp.Messages.Count(m => m.Recipients.Contains(to)) >= count), $"{count} message(s) to {to}");
        return fixture.Smtp.Messages.Where(m => m.Recipients.Contains(to)).ElementAt(count - 1).Message;
    }

    private static async Task SaveAsync(PageClient client, Dictionary<string, string> fields)
    {
        using var saved = await client.SubmitFormAsync("/Settings", fields, "form[data-testid=risk-form]");
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
    }

    private static async Task AssertRefusedAsync(PageClient client, Dictionary<string, string> fields, string field, string error)
    {
        using var refused = await client.SubmitFormAsync("/Settings", fields, "form[data-testid=risk-form]");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var page = await PageClient.ParseAsync(refused);
        Assert.Contains(error, page.QuerySelector($"[data-valmsg-for='{field}']")?.TextContent, StringComparison.Ordinal);
    }

    private Task<int> SetAsync(Guid tenantId, PromotedProduct? promotes, RiskWarningKind warning) =>
        App.AsTenantAsync(tenantId, db => db.Tenants.Where(t => t.Id == tenantId)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Promotes, promotes).SetProperty(t => t.RiskWarning, warning), TestContext.Current.CancellationToken));
}
