using ClientFlow.Tests.Infrastructure;
using ClientFlow.Tests.Infrastructure.Systeme;

namespace ClientFlow.Tests.Integration.Systeme;

/// <summary>
/// "Test the connection" on /Settings against the emulator, whose webhook service posts signed tag events back to the
/// app: it passes when the test tag's webhook returns (and the tag is removed again), and fails with the reason when
/// the webhook never comes or the API key is refused.
/// </summary>
public abstract class ConnectionTestTests<TDatabase> : IAsyncLifetime
    where TDatabase : TestDatabase, new()
{
    private const string Secret = "connection-test-webhook-secret";
    private readonly TDatabase _database = new();
    private SystemeEmulator _emulator = null!;

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        _emulator = await SystemeEmulator.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _emulator.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task TheTestTagsWebhookComesBack_Passes_AndTheSetUpShowsIt()
    {
        await using var app = await StartAsync(SystemeEmulator.ApiKey);
        _emulator.WebhookSecret = Secret;
        _emulator.WebhookSender = async request => (await app.CreateClient().SendAsync(request)).Dispose();
        var ib = await app.SeedIbAsync("tester@connection.test", "Tester IB");

        var result = await RunTestAsync(app, ib);
        Assert.Equal("true", result.GetAttribute("data-passed"));
        Assert.Contains("Passed: Systeme.io accepted the API key", result.TextContent, StringComparison.Ordinal);

        // The tag went on and came off again; the webhooks were the app's only news of it; no lead came of the test contact.
        Assert.Equal(["CONTACT_TAG_ADDED", "CONTACT_TAG_REMOVED"], _emulator.WebhooksSent);
        Assert.DoesNotContain($"{ib.TagPrefix}clientflow-test", _emulator.TagNamesOf(_emulator.ContactByEmail("clientflow-connection-test@example.com")!));
        Assert.Empty(await app.LeadsOfAsync(ib.TenantId));
        using var client = app.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);
        Assert.NotEqual("none yet", (await client.GetDocumentAsync("/Settings")).QuerySelector("[data-testid=setup-last-webhook]")?.TextContent);

        // The admin sees the same result on the IB's page.
        using var admin = app.CreatePageClient();
        await admin.LogInOrFailAsync(ClientFlowAppFactory.AdminEmail);
        Assert.StartsWith("Passed", (await admin.GetDocumentAsync($"/Admin/Tenants/{ib.TenantId}")).QuerySelector("[data-testid=admin-setup-test]")?.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoWebhookComesBack_Fails_WithWhatToSetUp()
    {
        await using var app = await StartAsync(SystemeEmulator.ApiKey);
        var ib = await app.SeedIbAsync("unhooked@connection.test", "Unhooked IB");

        var result = await RunTestAsync(app, ib);
        Assert.Equal("false", result.GetAttribute("data-passed"));
        Assert.Contains("no webhook came back within 2 s", result.TextContent, StringComparison.Ordinal);
        Assert.Contains("Settings → Webhooks", result.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain($"{ib.TagPrefix}clientflow-test", _emulator.TagNamesOf(_emulator.ContactByEmail("clientflow-connection-test@example.com")!));
    }

    [Fact]
    public async Task ARefusedApiKey_Fails_WithSystemesAnswer()
    {
        await using var app = await StartAsync("not-the-key");
        var ib = await app.SeedIbAsync("wrongkey@connection.test", "Wrong Key IB");

        var result = await RunTestAsync(app, ib);
        Assert.Equal("false", result.GetAttribute("data-passed"));
        Assert.Contains("401", result.TextContent, StringComparison.Ordinal);
    }

    private async Task<ClientFlowAppFactory> StartAsync(string apiKey)
    {
        var app = new ClientFlowAppFactory(_database, settings: new Dictionary<string, string?>
        {
            ["Systeme:BaseUrl"] = _emulator.BaseUrl.ToString(),
            ["Systeme:ApiKey"] = apiKey,
            ["Systeme:WebhookSecret"] = Secret,
            ["Systeme:MaxRequestsPerSecond"] = "50",
            ["Systeme:ConnectionTestWait"] = "00:00:02",
        });
        await app.StartAsync();
        return app;
    }

    /// <summary>Presses "Test the connection" and waits for its result on /Settings.</summary>
    private static async Task<AngleSharp.Dom.IElement> RunTestAsync(ClientFlowAppFactory app, SeededIb ib)
    {
        using var client = app.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);
        (await client.SubmitFormAsync("/Settings", new Dictionary<string, string>(), "[data-testid=test-connection]")).Dispose();
        AngleSharp.Dom.IElement? result = null;
        await Eventually.HoldsAsync(
            async () => (result = (await client.GetDocumentAsync("/Settings")).QuerySelector("[data-testid=connection-test-result]"))?.GetAttribute("data-passed") is "true" or "false",
            "the connection test finishes");
        return result!;
    }
}

/// <summary>The connection test on SQLite.</summary>
public sealed class SqliteConnectionTestTests : ConnectionTestTests<SqliteTestDatabase>;
