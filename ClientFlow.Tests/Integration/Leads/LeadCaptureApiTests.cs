using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ClientFlow.Tests.Infrastructure;

namespace ClientFlow.Tests.Integration.Leads;

public sealed class OfflineCaptureApp : SqliteApp
{
    public SeededIb John { get; private set; } = null!;

    public SeededIb Sarah { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        John = await App.SeedIbAsync("john@api.test", "John");
        Sarah = await App.SeedIbAsync("sarah@api.test", "Sarah");
    }
}

/// <summary>POST /api/v1/leads with Systeme.io offline (no key configured): capture, tags, every bad input, limits.</summary>
public sealed class LeadCaptureApiTests(OfflineCaptureApp app) : IClassFixture<OfflineCaptureApp>
{
    [Theory]
    [InlineData("forex-ib", "500+", "high-volume")]
    [InlineData("crypto-affiliate", "100-499", "medium-volume")]
    [InlineData("cfd-partner", "<100", "low-volume")]
    public async Task Capture_CreatesTheLead_WithTheCaptureTags(string ibType, string monthlyLeads, string volumeTag)
    {
        var email = $"{ibType}.{volumeTag}@Example.com";

        using var response = await PostAsync(app.John.ApiKey, new { email, name = "Alex Morgan", phone = "+44 20 7946 0958", ib_type = ibType, monthly_leads = monthlyLeads, broker_network = "IC Markets" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var id = body.GetProperty("id").GetGuid();
        Assert.Equal($"/Leads/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(email.ToLowerInvariant(), body.GetProperty("email").GetString());
        Assert.Equal("NotSynced", body.GetProperty("sync_state").GetString());
        string[] expected = [$"{app.John.TagPrefix}demo-request", $"{app.John.TagPrefix}{ibType}", $"{app.John.TagPrefix}{volumeTag}"];
        Assert.Equal(expected.Order(), body.GetProperty("systeme_tags").EnumerateArray().Select(t => t.GetString()).Order());

        var lead = (await app.App.LeadsOfAsync(app.John.TenantId)).Single(l => l.Id == id);
        Assert.Equal((LeadSource.Api, "Alex Morgan", "IC Markets", monthlyLeads), (lead.Source, lead.Name, lead.BrokerNetwork, lead.MonthlyLeads));
        Assert.Equal(new[] { "demo-request", ibType, volumeTag }.Order(), lead.Tags.Select(t => t.Slug).Order());
    }

    [Fact]
    public async Task Capture_Offline_KeepsTheSyncInTheOutbox_AndTheSweepLeavesItAlone()
    {
        using var response = await PostAsync(app.Sarah.ApiKey, new { email = "offline@example.com" });
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();

        await using (var scope = app.App.Services.CreateAsyncScope())
        {
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<OutboxSweep>().RunAsync(TestContext.Current.CancellationToken));
        }

        var operation = await app.App.AsTenantAsync(app.Sarah.TenantId, db => db.OutboundOperations.SingleAsync(o => o.LeadId == id, TestContext.Current.CancellationToken));
        Assert.Equal((OutboundStatus.Pending, 0), (operation.Status, operation.Attempts));
        Assert.Equal(LeadSyncState.NotSynced, (await app.App.LeadsOfAsync(app.Sarah.TenantId)).Single(l => l.Id == id).SyncState);
    }

    [Fact]
    public async Task Capture_WithOnlyAnEmail_TagsDemoRequestAlone()
    {
        using var response = await PostAsync(app.John.ApiKey, new { email = "bare@example.com" });

        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(["demo-request"], body.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task Capture_OfAnEmailTheIbAlreadyHas_Answers200_AndAddsOnlyTheNewTags()
    {
        using (await PostAsync(app.John.ApiKey, new { email = "again@example.com", ib_type = "forex-ib" }))
        {
        }

        using var second = await PostAsync(app.John.ApiKey, new { email = "AGAIN@example.com", ib_type = "forex-ib", monthly_leads = "500+" });

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var body = await second.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.False(body.GetProperty("created").GetBoolean());
        var leads = (await app.App.LeadsOfAsync(app.John.TenantId)).Where(l => l.Email == "again@example.com").ToList();
        var lead = Assert.Single(leads);
        Assert.Equal(["demo-request", "forex-ib", "high-volume"], lead.Tags.Select(t => t.Slug).Order());
    }

    public static TheoryData<string, string, string> BadBodies => new()
    {
        { "malformed JSON", """{"email": "x@example.com" """, "" },
        { "not an object", """["x@example.com"]""", "" },
        { "missing email", """{"name": "No Email"}""", "email" },
        { "invalid email", """{"email": "not-an-email"}""", "email" },
        { "email without domain dot", """{"email": "a@b"}""", "email" },
        { "huge name", $$"""{"email": "huge@example.com", "name": "{{new string('x', 5000)}}"}""", "name" },
        { "unknown monthly_leads", """{"email": "volume@example.com", "monthly_leads": "lots"}""", "monthly_leads" },
        { "ib_type not a slug", """{"email": "type@example.com", "ib_type": "Forex IB!"}""", "ib_type" },
        { "phone with letters", """{"email": "phone@example.com", "phone": "call me"}""", "phone" },
        { "email of the wrong type", """{"email": 42}""", "" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Capture_WithBadInput_Answers400ProblemJson_AndStoresNothing(string why, string json, string field)
    {
        var before = (await app.App.LeadsOfAsync(app.Sarah.TenantId)).Count;

        using var response = await PostRawAsync(app.Sarah.ApiKey, json);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{why}: {(int)response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        if (field.Length > 0)
        {
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{why}: no error on {field}");
        }

        Assert.Equal(before, (await app.App.LeadsOfAsync(app.Sarah.TenantId)).Count);
    }

    [Theory]
    [InlineData(null, "Send your API key")]
    [InlineData("cf_0000000000000000000000000000000000000000000000000000000000000000", "not valid")]
    public async Task Capture_WithAMissingOrBadKey_Answers401ProblemJson(string? key, string detail)
    {
        using var response = await PostRawAsync(key, """{"email": "keyless@example.com"}""");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(detail, (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Capture_OfAnOversizedBody_Answers413()
    {
        var json = $$"""{"email": "big@example.com", "name": "{{new string('x', 20_000)}}"}""";

        using var response = await PostRawAsync(app.Sarah.ApiKey, json);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Capture_OfANonJsonBody_Answers415()
    {
        using var client = app.App.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/leads") { Content = new StringContent("email=x@example.com", Encoding.UTF8, "application/x-www-form-urlencoded") };
        request.Headers.Add("X-Api-Key", app.Sarah.ApiKey);

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Capture_BeyondTheTenantsLimit_Answers403_AndStoresNothing()
    {
        var ib = await app.App.SeedIbAsync("limited@api.test", "Limited", "one@example.com");
        await app.App.SetMaxLeadsAsync(ib.TenantId, 2);

        using var second = await PostAsync(ib.ApiKey, new { email = "two@example.com" });
        using var third = await PostAsync(ib.ApiKey, new { email = "three@example.com" });
        using var existing = await PostAsync(ib.ApiKey, new { email = "one@example.com", ib_type = "forex-ib" });

        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, third.StatusCode);
        Assert.Contains("lead limit", (await third.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, existing.StatusCode);
        Assert.Equal(2, (await app.App.LeadsOfAsync(ib.TenantId)).Count);
    }

    [Fact]
    public async Task Capture_UnderConcurrency_NeverExceedsTheLimit()
    {
        var ib = await app.App.SeedIbAsync("race@api.test", "Race");
        await app.App.SetMaxLeadsAsync(ib.TenantId, 5);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => PostAsync(ib.ApiKey, new { email = $"racer{i}@example.com" })));

        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(15, responses.Count(r => r.StatusCode == HttpStatusCode.Forbidden));
        Assert.Equal(5, (await app.App.LeadsOfAsync(ib.TenantId)).Count);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task SameEmail_UnderTheSharedPolicy_GivesEachIbItsOwnLead()
    {
        using var john = await PostAsync(app.John.ApiKey, new { email = "both@example.com", ib_type = "forex-ib" });
        using var sarah = await PostAsync(app.Sarah.ApiKey, new { email = "both@example.com", ib_type = "crypto-affiliate" });

        Assert.Equal(HttpStatusCode.Created, john.StatusCode);
        Assert.Equal(HttpStatusCode.Created, sarah.StatusCode);
        var johns = (await app.App.LeadsOfAsync(app.John.TenantId)).Single(l => l.Email == "both@example.com");
        var sarahs = (await app.App.LeadsOfAsync(app.Sarah.TenantId)).Single(l => l.Email == "both@example.com");
        Assert.NotEqual(johns.Id, sarahs.Id);
        Assert.Contains(johns.Tags, t => t.Slug == "forex-ib");
        Assert.DoesNotContain(johns.Tags, t => t.Slug == "crypto-affiliate");

        using var page = app.App.CreatePageClient();
        await page.LogInOrFailAsync(app.John.Email);
        using var sarahsPage = await page.Http.GetAsync($"/Leads/{sarahs.Id}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, sarahsPage.StatusCode);
    }

    [Fact]
    public async Task OpenApiDocument_DescribesTheCaptureEndpoint()
    {
        using var client = app.App.CreateClient();

        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", TestContext.Current.CancellationToken);

        var post = document.GetProperty("paths").GetProperty("/api/v1/leads").GetProperty("post");
        Assert.True(post.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        foreach (var status in new[] { "201", "400", "401", "403", "409", "413" })
        {
            Assert.True(post.GetProperty("responses").TryGetProperty(status, out _), $"no {status} response documented");
        }

        Assert.True(document.GetProperty("components").GetProperty("schemas").TryGetProperty("LeadInput", out var schema));
        Assert.True(schema.GetProperty("properties").TryGetProperty("monthly_leads", out _));
    }

    private Task<HttpResponseMessage> PostAsync(string key, object body) => PostRawAsync(key, JsonSerializer.Serialize(body));

    private async Task<HttpResponseMessage> PostRawAsync(string? key, string json)
    {
        using var client = app.App.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/leads") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
