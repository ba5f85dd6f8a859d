using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Infrastructure;

/// <summary>
/// A class fixture: the real app on a database of its own, a SQLite file or a PostgreSQL database (as the app role). A
/// fixture of its own derives from it to change the app's services (<see cref="ConfigureServices"/>).
/// </summary>
public class AppOnDatabase<TDatabase> : IAsyncLifetime
    where TDatabase : TestDatabase, new()
{
    private readonly TDatabase _database = new();

    public ClientFlowAppFactory App { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        App = new ClientFlowAppFactory(_database, configureServices: ConfigureServices);
        await App.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await _database.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Changes the app's services before it starts; the plain fixture changes none.</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }
}
