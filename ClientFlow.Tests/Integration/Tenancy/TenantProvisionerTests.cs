using ClientFlow.Automation.Data;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClientFlow.Tests.Integration.Tenancy;

public sealed class TenantProvisionerTests : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();

    public async ValueTask InitializeAsync()
    {
        await using var db = await _database.CreateMigratedContextAsync(new TenantScope());
    }

    public ValueTask DisposeAsync() => _database.DisposeAsync();

    [Fact]
    public async Task CreateAsync_GivesUniqueValidPrefixes_UnderManyConcurrentSignUps()
    {
        const int signUps = 200;

        var tasks = Enumerable.Range(0, signUps).Select(async i =>
        {
            await using var db = _database.CreateContext(new TenantScope());
            return await Provisioner(db, new RandomTagPrefixGenerator()).CreateAsync($"IB {i}", TestContext.Current.CancellationToken);
        });
        var tenants = await Task.WhenAll(tasks);

        Assert.All(tenants, t => Assert.True(TagPrefix.IsValid(t.TagPrefix), t.TagPrefix));
        Assert.Equal(signUps, tenants.Select(t => t.TagPrefix).Distinct().Count());
        await using var check = _database.CreateContext(new TenantScope());
        Assert.Equal(signUps, await check.Tenants.Select(t => t.TagPrefix).Distinct().CountAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task CreateAsync_DrawsAgain_WhenThePrefixIsTaken()
    {
        await using var db = _database.CreateContext(new TenantScope());
        var existing = await Provisioner(db, new RandomTagPrefixGenerator()).CreateAsync("First", TestContext.Current.CancellationToken);
        var generator = new ScriptedGenerator(existing.TagPrefix, existing.TagPrefix, "ib-fresh123-");

        await using var second = _database.CreateContext(new TenantScope());
        var tenant = await Provisioner(second, generator).CreateAsync("Second", TestContext.Current.CancellationToken);

        Assert.Equal("ib-fresh123-", tenant.TagPrefix);
        Assert.Equal(3, generator.Calls);
        await using var check = _database.CreateContext(new TenantScope());
        Assert.Equal(2, await check.Tenants.CountAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task CreateAsync_GivesUp_AfterMaxAttempts()
    {
        await using var db = _database.CreateContext(new TenantScope());
        var existing = await Provisioner(db, new RandomTagPrefixGenerator()).CreateAsync("First", TestContext.Current.CancellationToken);
        var generator = new ScriptedGenerator(Enumerable.Repeat(existing.TagPrefix, TenantProvisioner.MaxAttempts + 1).ToArray());

        await using var second = _database.CreateContext(new TenantScope());
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Provisioner(second, generator).CreateAsync("Second", TestContext.Current.CancellationToken));

        Assert.Contains("unique tag prefix", error.Message, StringComparison.Ordinal);
        Assert.Equal(TenantProvisioner.MaxAttempts, generator.Calls);
    }

    [Fact]
    public async Task CreateAsync_RefusesAnInvalidPrefix()
    {
        await using var db = _database.CreateContext(new TenantScope());

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Provisioner(db, new ScriptedGenerator("IB-UPPER01-")).CreateAsync("Bad", TestContext.Current.CancellationToken));
    }

    private static TenantProvisioner Provisioner(ClientFlowDbContext db, ITagPrefixGenerator generator) =>
        new(db, generator, TimeProvider.System, NullLogger<TenantProvisioner>.Instance);

    private sealed class ScriptedGenerator(params string[] prefixes) : ITagPrefixGenerator
    {
        public int Calls { get; private set; }

        public string NewPrefix() => prefixes[Calls++];
    }
}
