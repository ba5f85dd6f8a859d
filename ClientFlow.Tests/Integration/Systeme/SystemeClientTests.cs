using System.Net;
using ClientFlow.Automation;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Systeme;
using ClientFlow.Tests.Infrastructure;
using ClientFlow.Tests.Infrastructure.Systeme;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClientFlow.Tests.Integration.Systeme;

/// <summary>The typed Systeme.io client over real HTTP against the emulator: shapes, errors, rate limits, retries.</summary>
public sealed class SystemeClientTests : IAsyncLifetime
{
    private readonly ListLoggerProvider _logs = new();
    private readonly SqliteTestDatabase _database = new();
    private SystemeEmulator _emulator = null!;
    private ServiceProvider _services = null!;

    private ISystemeClient Client => _services.GetRequiredService<ISystemeClient>();

    public async ValueTask InitializeAsync()
    {
        _emulator = await SystemeEmulator.StartAsync();
        _services = Build(SystemeEmulator.ApiKey);

        // The account's request budget lives in the database every node shares.
        await using var scope = _services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>().Database.MigrateAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _emulator.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task CreateContact_SendsFieldsAndKey_AndFindsItByEmailIgnoringCase()
    {
        var created = await Client.CreateContactAsync("trader@example.com", [new("first_name", "Alex"), new("ib_prefix", "ib-a7x3k2m1-")], Ct);

        var found = await Client.FindContactByEmailAsync("TRADER@example.com", Ct);

        Assert.NotNull(found);
        Assert.Equal(created.Id, found.Id);
        Assert.Equal("Alex", found.FieldValue("first_name"));
        Assert.Equal("ib-a7x3k2m1-", found.FieldValue("ib_prefix"));
        Assert.All(_emulator.Requests, r => Assert.Equal(SystemeEmulator.ApiKey, r.ApiKey));
        Assert.Contains(_emulator.Requests, r => r.Method == "GET" && r.PathAndQuery.Contains("limit=10", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CreateContact_ForAnExistingEmail_ThrowsA422WithAViolationOnEmail()
    {
        await Client.CreateContactAsync("dup@example.com", [], Ct);

        var error = await Assert.ThrowsAsync<SystemeApiException>(() => Client.CreateContactAsync("dup@example.com", [], Ct));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Status);
        Assert.True(error.HasViolationOn("email"));
        Assert.False(error.IsTransient);
        Assert.Single(_emulator.Requests, r => r.Method == "POST" && r.PathAndQuery == "/api/contacts" && r.Body.Contains("dup@", StringComparison.Ordinal) && r.At > _emulator.Requests[0].At);
    }

    [Fact]
    public async Task UpdateContactFields_IsAMergePatch()
    {
        var contact = await Client.CreateContactAsync("patch@example.com", [new("first_name", "Old"), new("surname", "Kept")], Ct);

        var updated = await Client.UpdateContactFieldsAsync(contact.Id, [new("first_name", "New")], Ct);

        Assert.Equal(("New", "Kept"), (updated.FieldValue("first_name"), updated.FieldValue("surname")));
        Assert.Contains(_emulator.Requests, r => r.Method == "PATCH" && r.ContentType!.StartsWith("application/merge-patch+json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FindTag_MatchesTheExactName_AmongSubstringResults_AcrossPages()
    {
        var wanted = _emulator.AddTag("ib-a7x3k2m1-vip");
        for (var i = 0; i < 150; i++)
        {
            _emulator.AddTag($"ib-a7x3k2m1-vip-{i}");
        }

        var found = await Client.FindTagAsync("ib-a7x3k2m1-vip", Ct);
        var missing = await Client.FindTagAsync("ib-a7x3k2m1-vi", Ct);

        Assert.Equal(wanted, found?.Id);
        Assert.Null(missing);
        Assert.Contains(_emulator.Requests, r => r.PathAndQuery.Contains("startingAfter=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AssignTag_Answers204_AndRemovingAnAbsentTagIsFine()
    {
        var contact = await Client.CreateContactAsync("tagged@example.com", [], Ct);
        var tag = await Client.CreateTagAsync("ib-a7x3k2m1-demo-request", Ct);

        await Client.AssignTagAsync(contact.Id, tag.Id, Ct);
        await Client.RemoveTagAsync(contact.Id, tag.Id, Ct);
        await Client.RemoveTagAsync(contact.Id, tag.Id, Ct);

        Assert.Empty(_emulator.ContactByEmail("tagged@example.com")!.TagIds);
        var unknown = await Assert.ThrowsAsync<SystemeApiException>(() => Client.AssignTagAsync(contact.Id, 999_999, Ct));
        Assert.True(unknown.HasViolationOn("tagId"));
    }

    [Fact]
    public async Task TooManyRequests_WaitsForRetryAfter_ThenSucceeds()
    {
        _emulator.RateLimitNext(1, retryAfterSeconds: 1);

        await Client.CreateContactAsync("patient@example.com", [], Ct);

        var attempts = _emulator.Requests.Where(r => r.Method == "POST").ToList();
        Assert.Equal(2, attempts.Count);
        Assert.True(attempts[1].At - attempts[0].At >= TimeSpan.FromMilliseconds(950), $"retried after {(attempts[1].At - attempts[0].At).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task TooManyRequests_WithOnlyRateLimitRefill_WaitsForTheRefill()
    {
        _emulator.RateLimitNext(1, retryAfterSeconds: null, refill: "1");

        await Client.FindContactByEmailAsync("nobody@example.com", Ct);

        var attempts = _emulator.Requests;
        Assert.Equal(2, attempts.Count);
        Assert.True(attempts[1].At - attempts[0].At >= TimeSpan.FromMilliseconds(950));
    }

    [Fact]
    public async Task TooManyRequests_PausesEveryCallerOfTheAccount()
    {
        _emulator.RateLimitNext(1, retryAfterSeconds: 2);

        var first = Client.FindContactByEmailAsync("first@example.com", Ct);
        // The second caller starts once the first has been answered 429, however slow the machine is to get there.
        await Eventually.HoldsAsync(() => Task.FromResult(_emulator.Requests.Count == 1), "the first caller reaches Systeme.io");
        await Task.Delay(300, Ct);
        var second = Client.FindContactByEmailAsync("second@example.com", Ct);
        await Task.WhenAll(first, second);

        var limited = _emulator.Requests[0];
        var secondSent = _emulator.Requests.Single(r => r.PathAndQuery.Contains("second", StringComparison.Ordinal));
        Assert.True(secondSent.At - limited.At >= TimeSpan.FromMilliseconds(1900), $"the second caller was sent {(secondSent.At - limited.At).TotalMilliseconds} ms after the 429");
    }

    [Fact]
    public async Task ServerErrors_AreRetriedWithBackoff()
    {
        _emulator.FailNext(2, 503);

        var tag = await Client.CreateTagAsync("ib-a7x3k2m1-retried", Ct);

        Assert.Equal("ib-a7x3k2m1-retried", tag.Name);
        Assert.Equal(3, _emulator.Requests.Count);
    }

    [Fact]
    public async Task ServerErrors_BeyondTheAttempts_SurfaceAsATransientError()
    {
        _emulator.Down = true;

        var error = await Assert.ThrowsAsync<SystemeApiException>(() => Client.FindContactByEmailAsync("down@example.com", Ct));

        Assert.True(error.IsTransient);
        Assert.Equal(4, _emulator.Requests.Count);
    }

    [Fact]
    public async Task ASlowSysteme_TimesOutEachAttempt_AndIsRetried()
    {
        _emulator.Delay = TimeSpan.FromSeconds(3);
        await using var impatient = Build(SystemeEmulator.ApiKey, timeoutSeconds: 1);

        var error = await Assert.ThrowsAsync<SystemeApiException>(() => impatient.GetRequiredService<ISystemeClient>().FindContactByEmailAsync("slow@example.com", Ct));

        Assert.Equal(HttpStatusCode.RequestTimeout, error.Status);
        Assert.True(error.IsTransient);
        Assert.Equal(2, _emulator.Requests.Count);
    }

    [Fact]
    public async Task TwoNodes_ResolvingOneNewTagAtOnce_EndWithOneTag()
    {
        // Each node has its own cache; both search before either creates, so the second create is refused (422 on name).
        _emulator.Delay = TimeSpan.FromMilliseconds(200);
        var ids = await Task.WhenAll(
            new SystemeTagCache().GetOrCreateIdAsync(Client, "ib-a7x3k2m1-brand-new", Ct),
            new SystemeTagCache().GetOrCreateIdAsync(Client, "ib-a7x3k2m1-brand-new", Ct));

        Assert.Equal(ids[0], ids[1]);
        Assert.Single(_emulator.Tags.Values, n => n == "ib-a7x3k2m1-brand-new");
        Assert.Equal(2, _emulator.Requests.Count(r => r.Method == "POST" && r.PathAndQuery == "/api/tags"));
    }

    [Fact]
    public async Task ABadKey_IsA401_NotRetried_AndTheKeyIsNeverLogged()
    {
        await using var badKey = Build("wrong-key-that-must-not-be-logged");
        var client = badKey.GetRequiredService<ISystemeClient>();

        var error = await Assert.ThrowsAsync<SystemeApiException>(() => client.FindContactByEmailAsync("x@example.com", Ct));
        await Client.CreateContactAsync("logged@example.com", [], Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, error.Status);
        Assert.Equal("Invalid API Key.", error.Detail);
        Assert.Single(_emulator.Requests, r => r.ApiKey == "wrong-key-that-must-not-be-logged");
        Assert.NotEmpty(_logs.Lines);
        Assert.DoesNotContain(_logs.Lines, l => l.Contains("wrong-key-that-must-not", StringComparison.Ordinal) || l.Contains(SystemeEmulator.ApiKey, StringComparison.Ordinal));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ServiceProvider Build(string apiKey, int timeoutSeconds = 30)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["ConnectionStrings:Sqlite"] = _database.ConnectionString,
            ["Systeme:BaseUrl"] = _emulator.BaseUrl.ToString(),
            ["Systeme:ApiKey"] = apiKey,
            ["Systeme:MaxRequestsPerSecond"] = "50",
            ["Systeme:TimeoutSeconds"] = timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Systeme:MaxAttempts"] = timeoutSeconds == 30 ? "4" : "2",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(logging => logging.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));
        services.AddSingleton(TimeProvider.System);
        services.AddClientFlowAutomation(configuration, _database.Folder);
        return services.BuildServiceProvider();
    }
}
