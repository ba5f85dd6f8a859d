namespace ClientFlow.Tests.Infrastructure;

/// <summary>A class fixture: the real app on a database of its own, a SQLite file or a PostgreSQL database (as the app role).</summary>
public sealed class AppOnDatabase<TDatabase> : IAsyncLifetime
    where TDatabase : TestDatabase, new()
{
    private readonly TDatabase _database = new();

    public ClientFlowAppFactory App { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        App = new ClientFlowAppFactory(_database);
        await App.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await _database.DisposeAsync();
    }
}
