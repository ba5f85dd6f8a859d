using System.Net;
using ClientFlow.Automation.Data;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Security;

public sealed class SignUpLimitApp : SqliteApp
{
    public const int PerHour = 2;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Accounts:SignUpsPerHour"] = $"{PerHour}" };
}

/// <summary>Anyone can sign up, so sign-ups are limited per client address (<c>Accounts:SignUpsPerHour</c>); reading the page is not.</summary>
public sealed class SignUpRateLimitTests(SignUpLimitApp fixture) : IClassFixture<SignUpLimitApp>
{
    [Fact]
    public async Task SigningUpTooOften_GetsAPageSayingWhenToTryAgain_AndCreatesNoAccount()
    {
        using var client = fixture.App.CreatePageClient();
        client.Http.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= SignUpLimitApp.PerHour; i++)
        {
            using var response = await client.SubmitFormAsync("/Identity/Account/Register", new Dictionary<string, string>
            {
                ["Input.Name"] = $"Signup {i}",
                ["Input.Email"] = $"signup{i}@limit.test",
                ["Input.Password"] = "Signup!Passw0rd",
                ["Input.ConfirmPassword"] = "Signup!Passw0rd",
            }, "form#registerForm");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After says when");
                var page = await PageClient.ParseAsync(response);
                Assert.Contains("Please try again in", page.QuerySelector("[role=alert]")?.TextContent, StringComparison.Ordinal);
            }
        }

        Assert.Equal([HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.TooManyRequests], statuses);
        await using var scope = fixture.App.Services.CreateAsyncScope();
        var accounts = await scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>().Users
            .CountAsync(u => u.Email!.EndsWith("@limit.test"), TestContext.Current.CancellationToken);
        Assert.Equal(SignUpLimitApp.PerHour, accounts);

        using var read = await client.Http.GetAsync("/Identity/Account/Register", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }
}
