using ClientFlow.Tests.Infrastructure;

namespace ClientFlow.Tests.Integration.Data;

/// <summary>What SQLite triggers keep with the data: the per-IB counters the dashboard and /Leads read, and the FTS5 trigram table behind the search.</summary>
public sealed class KeptByTriggersTests : IAsyncLifetime
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

    [Fact]
    public Task Search_FindsSubstringsOfEmailsAndNames_InAnyCase_LiterallyAndOnlyTheIbsOwn() => LeadSearchScenario.RunAsync(_app);
}
