using System.Net;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using ClientFlow.Tests.Infrastructure.Smtp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Security;

/// <summary>The app on the SMTP channel outside Development (Testing), with a real SMTP server on loopback.</summary>
public sealed class ConfirmationApp : SmtpAppFixture
{
    public const string Origin = "http://leads.clientflow.test";

    protected override string PublicOrigin => Origin;
}

/// <summary>
/// Account emails go through the configured channel outside Development, and nothing is sent for an IB until it has
/// confirmed its email: no workflow turns ON, no test is sent; /Settings says so and sends the link again.
/// </summary>
public sealed class EmailConfirmationTests(ConfirmationApp fixture) : IClassFixture<ConfirmationApp>
{
    private ClientFlowAppFactory App => fixture.App;

    [Fact]
    public async Task ASignUp_GetsItsLinkBySmtp_AndSendsNothingUntilItFollowsIt()
    {
        using var client = App.CreatePageClient();
        using (var signUp = await client.SubmitFormAsync("/Identity/Account/Register", new Dictionary<string, string>
        {
            ["Input.Name"] = "Fresh IB",
            ["Input.Email"] = "fresh@confirm.test",
            ["Input.Password"] = "Fresh!Passw0rd",
            ["Input.ConfirmPassword"] = "Fresh!Passw0rd",
        }, "form#registerForm"))
        {
            Assert.Equal(HttpStatusCode.Redirect, signUp.StatusCode);
        }

        var tenantId = await TenantOfAsync("fresh@confirm.test");
        var template = await App.CreateTemplateAsync(tenantId, "Welcome", "Welcome", "<p>Hi</p>");
        var link = await ConfirmationLinkAsync("fresh@confirm.test", 1);
        Assert.StartsWith($"{ConfirmationApp.Origin}/Identity/Account/ConfirmEmail?", link, StringComparison.Ordinal);

        // Unconfirmed: the workflow stays OFF with the reason, the test is refused, /Settings says why.
        Assert.Equal(SendingGate.Unconfirmed, await App.TryTurnOnNewWorkflowAsync(tenantId));
        using (await client.SubmitFormAsync($"/Templates/{template.Id}", new Dictionary<string, string>(), "form[action*='handler=SendTest']"))
        {
        }

        Assert.Contains(SendingGate.Unconfirmed, (await client.GetDocumentAsync($"/Templates/{template.Id}")).Body!.TextContent, StringComparison.Ordinal);
        Assert.Empty(await App.MessagesOfAsync(tenantId));
        var settings = await client.GetDocumentAsync("/Settings");
        Assert.Contains("not confirmed yet", settings.QuerySelector("[data-testid=email-confirmation]")?.TextContent, StringComparison.Ordinal);

        // "Send the link again" sends a second one.
        using (var again = await client.SubmitFormAsync("/Settings", new Dictionary<string, string>(), "form[action*='handler=ResendConfirmation']"))
        {
            Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        }

        var second = await ConfirmationLinkAsync("fresh@confirm.test", 2);

        // Following the link confirms the address; then the IB may send.
        using (var confirm = await client.Http.GetAsync(new Uri(second).PathAndQuery, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        }

        Assert.Contains(", confirmed", (await client.GetDocumentAsync("/Settings")).QuerySelector("[data-testid=email-confirmation]")?.TextContent, StringComparison.Ordinal);

        // Marketing email carries the sender's postal address: without one a workflow still cannot turn ON.
        Assert.Equal(SendingGate.NoPostalAddress, await App.TryTurnOnNewWorkflowAsync(tenantId));
        using (var saved = await client.SubmitFormAsync("/Settings", new Dictionary<string, string> { ["Sender.PostalAddress"] = "2 Fresh Lane, Leeds" }, "form[data-testid=sender-form]"))
        {
            Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        }

        // Then it says what it promotes, with the warning that goes with it (RiskWarningTests has the rest).
        Assert.Equal(RiskWarnings.Undeclared, await App.TryTurnOnNewWorkflowAsync(tenantId));
        using (var risk = await client.SubmitFormAsync("/Settings", new Dictionary<string, string> { ["Risk.Promotes"] = "Forex", ["Risk.Warning"] = "FcaCfd", ["Risk.Percent"] = "74" }, "form[data-testid=risk-form]"))
        {
            Assert.Equal(HttpStatusCode.Redirect, risk.StatusCode);
        }

        Assert.Null(await App.TryTurnOnNewWorkflowAsync(tenantId));

        // With a workflow ON, the address cannot be taken away.
        using (var cleared = await client.SubmitFormAsync("/Settings", new Dictionary<string, string> { ["Sender.PostalAddress"] = "" }, "form[data-testid=sender-form]"))
        {
            Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
            var page = await PageClient.ParseAsync(cleared);
            Assert.Contains("turn them off before removing it", page.QuerySelector("[data-valmsg-for='Sender.PostalAddress']")?.TextContent, StringComparison.Ordinal);
        }

        Assert.Equal("2 Fresh Lane, Leeds", await App.AsTenantAsync(tenantId, db => db.Tenants.Where(t => t.Id == tenantId).Select(t => t.PostalAddress).SingleAsync(TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task AWorkflowEmail_IsHeldWhileTheIbHasNoPostalAddress_AndGoesOnceItHasOne()
    {
        var ib = await App.SeedIbAsync("held@confirm.test", "Held IB");
        var template = await App.CreateTemplateAsync(ib.TenantId, "Welcome", "Welcome", "<p>Hi</p>");
        await App.PublishWorkflowAsync(ib.TenantId, "Welcome", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new SendEmailStep(template.Id)]);
        await SetPostalAddressAsync(ib.TenantId, null); // as an account from before the rule

        await App.CaptureAsync(ib.TenantId, new ClientFlow.Automation.Leads.LeadInput { Email = "held-lead@example.com" });

        await Eventually.HoldsAsync(
            async () => (await App.MessagesOfAsync(ib.TenantId)).SingleOrDefault()?.LastError?.StartsWith("Held: ", StringComparison.Ordinal) == true,
            "the email is held with the reason");
        Assert.Equal(EmailStatus.Pending, (await App.MessagesOfAsync(ib.TenantId)).Single().Status);
        Assert.DoesNotContain(fixture.Smtp.Messages, m => m.Recipients.Contains("held-lead@example.com"));

        await SetPostalAddressAsync(ib.TenantId, "3 Held Road, York");
        await Eventually.HoldsAsync(
            async () => (await App.MessagesOfAsync(ib.TenantId)).Single().Status == EmailStatus.Sent,
            "the held email goes once the address is set",
            TimeSpan.FromSeconds(30));
        Assert.Single(fixture.Smtp.Messages, m => m.Recipients.Contains("held-lead@example.com"));
    }

    private Task<int> SetPostalAddressAsync(Guid tenantId, string? address) =>
        App.AsTenantAsync(tenantId, db => db.Tenants.Where(t => t.Id == tenantId)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.PostalAddress, address), TestContext.Current.CancellationToken));

    [Fact]
    public async Task ARefusedAccountEmail_LeavesTheSignUpStanding_AndCanBeAskedForAgain()
    {
        fixture.Smtp.FailNextData(1, 550, "Mailbox unavailable");
        using var client = App.CreatePageClient();
        using (var signUp = await client.SubmitFormAsync("/Identity/Account/Register", new Dictionary<string, string>
        {
            ["Input.Name"] = "Bounced IB",
            ["Input.Email"] = "bounced@confirm.test",
            ["Input.Password"] = "Bounce!Passw0rd",
            ["Input.ConfirmPassword"] = "Bounce!Passw0rd",
        }, "form#registerForm"))
        {
            Assert.Equal(HttpStatusCode.Redirect, signUp.StatusCode);
        }

        Assert.DoesNotContain(fixture.Smtp.Messages, m => m.Recipients.Contains("bounced@confirm.test"));
        using (await client.SubmitFormAsync("/Settings", new Dictionary<string, string>(), "form[action*='handler=ResendConfirmation']"))
        {
        }

        Assert.StartsWith(ConfirmationApp.Origin, await ConfirmationLinkAsync("bounced@confirm.test", 1), StringComparison.Ordinal);
    }

    private async Task<Guid> TenantOfAsync(string email)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ClientFlow.Automation.Data.ClientFlowDbContext>().Users
            .Where(u => u.Email == email).Select(u => u.TenantId!.Value).SingleAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>The link in the <paramref name="count"/>th confirmation message the SMTP server received for the address (its text part).</summary>
    private async Task<string> ConfirmationLinkAsync(string email, int count)
    {
        await Eventually.HoldsAsync(
            () => Task.FromResult(fixture.Smtp.Messages.Count(m => m.Recipients.Contains(email)) >= count),
            $"confirmation message {count} to {email}");
        var message = fixture.Smtp.Messages.Where(m => m.Recipients.Contains(email)).ElementAt(count - 1).Message;
        Assert.Equal("Confirm your ClientFlow email", message.Subject);
        Assert.Null(message.Headers["List-Unsubscribe"]);
        var text = message.TextBody!;
        var start = text.IndexOf(ConfirmationApp.Origin, StringComparison.Ordinal);
        Assert.True(start >= 0, $"a link to {ConfirmationApp.Origin} in: {text}");
        return text[start..text.IndexOf(')', start)];
    }
}
