using System.Net;
using System.Text.RegularExpressions;
using ClientFlow.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;

namespace ClientFlow.Tests.Integration;

/// <summary>In Development, account emails go to the log; their links confirm the address and reset the password.</summary>
public sealed partial class PasswordResetTests
{
    [Fact]
    public async Task ConfirmThenReset_FromTheLoggedEmails_LetsTheIbLogInWithTheNewPassword()
    {
        var log = new TestLogSink();
        await using var database = new SqliteTestDatabase();
        await using var app = new ClientFlowAppFactory(database, "Development", configureServices: s => s.AddSingleton<ILogEventSink>(log));
        using var client = app.CreatePageClient();

        using (var registered = await client.SubmitFormAsync("/Identity/Account/Register", new Dictionary<string, string>
        {
            ["Input.Name"] = "Forgetful",
            ["Input.Email"] = "forgetful@ib.test",
            ["Input.Password"] = "First!Passw0rd",
            ["Input.ConfirmPassword"] = "First!Passw0rd",
        }, "form#registerForm"))
        {
            Assert.Equal(HttpStatusCode.Redirect, registered.StatusCode);
        }

        var confirmed = await client.GetDocumentAsync(LastLink(log, "ConfirmEmail"));
        Assert.Contains("Thank you for confirming your email", confirmed.Body!.TextContent, StringComparison.Ordinal);

        using var anonymous = app.CreatePageClient();
        using (var forgot = await anonymous.SubmitFormAsync("/Identity/Account/ForgotPassword", new Dictionary<string, string> { ["Input.Email"] = "forgetful@ib.test" }))
        {
            Assert.Equal(HttpStatusCode.Redirect, forgot.StatusCode);
        }

        using (var reset = await anonymous.SubmitFormAsync(LastLink(log, "ResetPassword"), new Dictionary<string, string>
        {
            ["Input.Email"] = "forgetful@ib.test",
            ["Input.Password"] = "Second!Passw0rd",
            ["Input.ConfirmPassword"] = "Second!Passw0rd",
        }))
        {
            Assert.Equal(HttpStatusCode.Redirect, reset.StatusCode);
            Assert.Contains("ResetPasswordConfirmation", reset.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }

        using var old = await anonymous.LogInAsync("forgetful@ib.test", "First!Passw0rd");
        Assert.Equal(HttpStatusCode.OK, old.StatusCode);
        await anonymous.LogInOrFailAsync("forgetful@ib.test", "Second!Passw0rd");
    }

    private static string LastLink(TestLogSink log, string page)
    {
        var link = log.ValuesOf("Body")
            .Select(body => LinkPattern().Match(body))
            .Where(m => m.Success)
            .Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))
            .LastOrDefault(url => url.Contains($"/Identity/Account/{page}", StringComparison.Ordinal));
        Assert.NotNull(link);
        return new Uri(link).PathAndQuery;
    }

    [GeneratedRegex("""href=["']([^"']+)["']""")]
    private static partial Regex LinkPattern();
}
