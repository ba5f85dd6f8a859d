using ClientFlow.Tests.Infrastructure;

namespace ClientFlow.Tests.Postgres;

/// <summary>
/// The per-IB counters and the search on PostgreSQL, as the app role under row-level security: the triggers write the
/// counter of the tenant in scope, spread over shards, and read back summed; the search is an ILIKE served by the
/// pg_trgm indexes.
/// </summary>
public sealed class PostgresKeptByTriggersTests : IAsyncLifetime
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

    [Fact]
    public Task Search_FindsSubstringsOfEmailsAndNames_InAnyCase_LiterallyAndOnlyTheIbsOwn() => LeadSearchScenario.RunAsync(_app);
}
