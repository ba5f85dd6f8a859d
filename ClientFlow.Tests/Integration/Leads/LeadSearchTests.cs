using ClientFlow.Tests.Infrastructure;

namespace ClientFlow.Tests.Integration.Leads;

/// <summary>/Leads search on SQLite: the FTS5 trigram table and the triggers that keep it.</summary>
public sealed class LeadSearchTests : IAsyncLifetime
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
    public Task Search_FindsSubstringsOfEmailsAndNames_InAnyCase_LiterallyAndOnlyTheIbsOwn() => LeadSearchScenario.RunAsync(_app);
}
