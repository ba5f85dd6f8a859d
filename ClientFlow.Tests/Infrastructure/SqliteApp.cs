using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Infrastructure;

/// <summary>A class fixture: the real app on its own SQLite file, with the settings and services a subclass adds.</summary>
public abstract class SqliteApp : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();

    public ClientFlowAppFactory App { get; private set; } = null!;

    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public virtual async ValueTask InitializeAsync()
    {
        App = new ClientFlowAppFactory(_database, settings: Settings, configureServices: ConfigureServices);
        await App.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await _database.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
