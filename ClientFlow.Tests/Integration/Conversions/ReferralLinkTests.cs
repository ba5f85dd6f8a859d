using System.Net;
using ClientFlow.Automation.Conversions;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Templates;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Conversions;

public sealed class ReferralLinkApp : SqliteApp;

/// <summary>
/// <c>{{ referral_link "XM" }}</c> in a template renders a tracked <c>/r/{token}</c> link that records the click on the
/// message and redirects to the connection's referral link with the lead's ref, and nowhere else; a template naming a
/// connection the IB does not have is refused at save; a postback with that ref then funds the lead.
/// </summary>
public sealed class ReferralLinkTests(ReferralLinkApp fixture) : IClassFixture<ReferralLinkApp>
{
    private ClientFlowAppFactory App => fixture.App;

    [Fact]
    public async Task AnEmailsReferralLink_RecordsTheClick_AndLeadsOnlyToTheBrokerWithTheLeadsRef()
    {
        var ib = await App.SeedIbAsync("referral@conversions.test", "Referral IB");
        var other = await App.SeedIbAsync("elsewhere@conversions.test", "Elsewhere IB");
        var (connection, token) = await App.ConnectBrokerAsync(ib.TenantId, "XM", "https://xm.example/register?subid={subid}&lang=en");
        var (othersConnection, _) = await App.ConnectBrokerAsync(other.TenantId, "XM", "https://evil.example/?s={subid}");

        // Saving a template that names a connection the IB does not have is refused, with where.
        var refused = await SaveTemplateAsync(ib.TenantId, "<p>Open <a href=\"{{ referral_link \"Nope\" }}\">your account</a></p>");
        Assert.Null(refused.Template);
        Assert.Contains(refused.Errors, e => e.Message.Contains("No broker connection is named \"Nope\"", StringComparison.Ordinal) && e.Line == 1);

        var saved = await SaveTemplateAsync(ib.TenantId, "<p>Open <a href=\"{{ referral_link \"XM\" }}\">your XM account</a> and read <a href=\"https://example.com/guide\">the guide</a></p>");
        Assert.NotNull(saved.Template);
        await App.PublishWorkflowAsync(ib.TenantId, "Open an account", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new SendEmailStep(saved.Template.Id)]);
        var leadId = await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "clicker@example.com" });
        await Eventually.HoldsAsync(async () => (await App.MessagesOfAsync(ib.TenantId)).Any(m => m.LeadId == leadId), "the email is composed");
        var message = (await App.MessagesOfAsync(ib.TenantId)).Single(m => m.LeadId == leadId);
        var lead = (await App.LeadsOfAsync(ib.TenantId)).Single();

        var referral = EmailLinks.Referral(message.HtmlBody);
        Assert.True(referral is not null, message.HtmlBody);
        Assert.Equal($"/r/{message.Token}.{connection.Id:N}", new Uri(referral).AbsolutePath); // not wrapped in /t/c/
        Assert.Contains("/t/c/", message.HtmlBody, StringComparison.Ordinal); // the other link is click-tracked as before

        using var http = App.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using (var click = await http.GetAsync(new Uri(referral).PathAndQuery, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Redirect, click.StatusCode);
            Assert.Equal($"https://xm.example/register?subid={lead.Ref}&lang=en", click.Headers.Location?.OriginalString);
        }

        var clicked = (await App.MessagesOfAsync(ib.TenantId)).Single(m => m.Id == message.Id);
        Assert.NotNull(clicked.ClickedAt);
        Assert.Equal(1, clicked.ClickCount);

        // Only this IB's connection, only this message's lead: another IB's connection id, a tampered token, junk: 404.
        foreach (var path in new[] { $"/r/{message.Token}.{othersConnection.Id:N}", $"/r/{message.Token[..^1]}x.{connection.Id:N}", $"/r/{message.Token}", "/r/.", $"/r/{message.Token}.{connection.Id}" })
        {
            using var refusedClick = await http.GetAsync(path, TestContext.Current.CancellationToken);
            Assert.True(refusedClick.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)refusedClick.StatusCode} {refusedClick.Headers.Location}");
        }

        // The broker reports the FTD with the ref the link carried.
        using (var postback = await http.GetAsync($"/postbacks/{token}?subid={lead.Ref}&event=ftd&amount=250&currency=USD&txid=1", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, postback.StatusCode);
        }

        await Eventually.HoldsAsync(async () => (await App.LeadsOfAsync(ib.TenantId)).Single().Stage == LeadStage.Funded, "the lead is funded");
    }

    [Fact]
    public async Task ATestSend_CarriesTheBrokersOwnLink_WithTheSampleRef_Untracked()
    {
        var ib = await App.SeedIbAsync("preview@conversions.test", "Preview IB");
        await App.ConnectBrokerAsync(ib.TenantId, "Exness", "https://exness.example/a/{subid}");
        var saved = await SaveTemplateAsync(ib.TenantId, "<p><a href=\"{{ referral_link \"Exness\" }}\">Open</a></p>");
        await using var scope = App.Services.CreateAsyncScope();
        using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(ib.TenantId))
        {
            var (_, html, _) = await scope.ServiceProvider.GetRequiredService<EmailComposer>().PreviewAsync(saved.Template!, null, TestContext.Current.CancellationToken);
            Assert.Contains("href=\"https://exness.example/a/sample-ref\"", html, StringComparison.Ordinal);
        }
    }

    private async Task<TemplateSaveResult> SaveTemplateAsync(Guid tenantId, string html)
    {
        await using var scope = App.Services.CreateAsyncScope();
        using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(tenantId))
        {
            return (await scope.ServiceProvider.GetRequiredService<EmailTemplates>()
                .SaveAsync(null, new TemplateInput($"Referral {Guid.NewGuid():N}", "Open your account", html, null), TestContext.Current.CancellationToken))!;
        }
    }
}
