using System.Net;
using ClientFlow.Tests.Infrastructure;

namespace ClientFlow.Tests.Integration.Leads;

public sealed class ApiRateLimitApp : SqliteApp
{
    public const int PerMinute = 3;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Capture:ApiRequestsPerMinute"] = PerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary><c>Capture:ApiRequestsPerMinute</c> limits each IB's capture API on its own: problem+json 429 with Retry-After, nothing stored.</summary>
public sealed class ApiRateLimitTests(ApiRateLimitApp fixture) : IClassFixture<ApiRateLimitApp>
{
    [Fact]
    public async Task CaptureApi_BeyondTheSetting_Answers429_ForThatIbOnly()
    {
        var busy = await fixture.App.SeedIbAsync("busy@limit.test", "Busy IB");
        var quiet = await fixture.App.SeedIbAsync("quiet@limit.test", "Quiet IB");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < ApiRateLimitApp.PerMinute + 2; i++)
        {
            using var response = await PostAsync(busy.ApiKey, $"busy{i}@example.com");
            statuses.Add(response.StatusCode);
        }

        using var refused = await PostAsync(busy.ApiKey, "one-more@example.com");
        using var other = await PostAsync(quiet.ApiKey, "quiet@example.com");

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Created, ApiRateLimitApp.PerMinute), statuses.Take(ApiRateLimitApp.PerMinute));
        Assert.All(statuses.Skip(ApiRateLimitApp.PerMinute), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        Assert.Equal(ApiRateLimitApp.PerMinute, (await fixture.App.LeadsOfAsync(busy.TenantId)).Count);
    }

    private Task<HttpResponseMessage> PostAsync(string key, string email) => fixture.App.PostLeadAsync(key, new { email });
}
