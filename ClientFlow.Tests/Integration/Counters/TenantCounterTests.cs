using ClientFlow.Tests.Infrastructure;

namespace ClientFlow.Tests.Integration.Counters;

/// <summary>The per-IB counters the dashboard and /Leads read, kept by SQLite triggers.</summary>
public sealed class TenantCounterTests : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();
    private ClientFlowAppFactory _app = null!;

    public async ValueTask InitializeAsync()
    {
        _app = new ClientFlowAppFactory(_database);
        await _app.StartAsync();
        _app.RemoveRecurringSweeps();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public Task Counters_EqualTheRowsTheyCount_AfterInsertsUpdatesAndDeletes_ForEachIb() => CounterScenario.RunAsync(_app);
}
