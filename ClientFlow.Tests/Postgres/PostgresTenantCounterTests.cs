using ClientFlow.Tests.Infrastructure;

namespace ClientFlow.Tests.Postgres;

/// <summary>
/// The per-IB counters on PostgreSQL, written by the triggers as the app role under row-level security (the trigger
/// writes the counter of the tenant in scope, spread over shards), and read back summed.
/// </summary>
public sealed class PostgresTenantCounterTests : IAsyncLifetime
{
    private readonly PostgresTestDatabase _database = new();
    private ClientFlowAppFactory _app = null!;

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
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
