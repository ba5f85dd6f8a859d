using System.Net;
using System.Text;
using System.Text.Json;
using ClientFlow.Automation.Leads;
using ClientFlow.Tests.Infrastructure;
using ClientFlow.Tests.Infrastructure.Systeme;

namespace ClientFlow.Tests.Postgres;

/// <summary>
/// Capture on PostgreSQL: the tenant-row lock keeps the limit exact under concurrency, the email
/// claim decides exclusive races, and the outbox (a row-level-secured table) syncs to Systeme.io.
/// </summary>
public sealed class PostgresCaptureTests : IAsyncLifetime
{
    private readonly PostgresTestDatabase _database = new();
    private SystemeEmulator _emulator = null!;
    private ClientFlowAppFactory _app = null!;

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        _emulator = await SystemeEmulator.StartAsync();
        _app = new ClientFlowAppFactory(_database, settings: new Dictionary<string, string?>
        {
            ["Capture:Policy"] = "Exclusive",
            ["Systeme:BaseUrl"] = _emulator.BaseUrl.ToString(),
            ["Systeme:ApiKey"] = SystemeEmulator.ApiKey,
            ["Systeme:MaxRequestsPerSecond"] = "50",
        });
        await _app.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _emulator.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task ConcurrentCaptures_NeverExceedTheLimit()
    {
        var ib = await _app.SeedIbAsync("race@pg.test", "PG Race");
        await _app.SetMaxLeadsAsync(ib.TenantId, 5);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => PostAsync(ib.ApiKey, $"racer{i}@example.com")));

        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(15, statuses.Count(s => s == HttpStatusCode.Forbidden));
        Assert.Equal(5, (await _app.LeadsOfAsync(ib.TenantId)).Count);
    }

    [Fact]
    public async Task IbsRacingForOneEmail_UnderTheExclusivePolicy_OnlyOneWins()
    {
        var ibs = new List<SeededIb>();
        for (var i = 0; i < 4; i++)
        {
            ibs.Add(await _app.SeedIbAsync($"racer{i}@pg.test", $"PG Racer {i}"));
        }

        var statuses = await Task.WhenAll(ibs.Select(ib => PostAsync(ib.ApiKey, "contested@example.com")));

        Assert.Single(statuses, s => s == HttpStatusCode.Created);
        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task AnIbAtItsLimit_ClaimsNoAddress_SoTheNextIbGetsTheLead()
    {
        var full = await _app.SeedIbAsync("full@pg.test", "PG Full", "already@example.com");
        await _app.SetMaxLeadsAsync(full.TenantId, 1);
        var next = await _app.SeedIbAsync("next@pg.test", "PG Next");

        Assert.Equal(HttpStatusCode.Forbidden, await PostAsync(full.ApiKey, "unclaimed@example.com"));
        Assert.Equal(HttpStatusCode.Created, await PostAsync(next.ApiKey, "unclaimed@example.com"));

        // The address is the next IB's now: the first, with room again, is refused it as taken.
        await _app.SetMaxLeadsAsync(full.TenantId, 10);
        Assert.Equal(HttpStatusCode.Conflict, await PostAsync(full.ApiKey, "unclaimed@example.com"));
    }

    [Fact]
    public async Task Capture_SyncsThroughTheOutbox()
    {
        var ib = await _app.SeedIbAsync("sync@pg.test", "PG Sync");

        Assert.Equal(HttpStatusCode.Created, await PostAsync(ib.ApiKey, "pg-synced@example.com", "forex-ib"));

        await Eventually.HoldsAsync(
            async () => (await _app.LeadsOfAsync(ib.TenantId)).Single().SyncState == LeadSyncState.Synced,
            "the lead to sync from PostgreSQL");
        var contact = _emulator.ContactByEmail("pg-synced@example.com");
        Assert.NotNull(contact);
        Assert.Contains($"{ib.TagPrefix}forex-ib", _emulator.TagNamesOf(contact));
    }

    private async Task<HttpStatusCode> PostAsync(string key, string email, string? ibType = null)
    {
        using var client = _app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/leads")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { email, ib_type = ibType }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Api-Key", key);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }
}
