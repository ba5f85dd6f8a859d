using ClientFlow.Tests.Infrastructure;

namespace ClientFlow.Tests.Postgres;

/// <summary>/Leads search on PostgreSQL as the app role: ILIKE served by the pg_trgm indexes, under row-level security.</summary>
public sealed class PostgresLeadSearchTests : IAsyncLifetime
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
    public Task Search_FindsSubstringsOfEmailsAndNames_InAnyCase_LiterallyAndOnlyTheIbsOwn() => LeadSearchScenario.RunAsync(_app);
}
