using ClientFlow.Automation.Data;
using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Tests.Infrastructure;

/// <summary>A real, empty database for one test class: a SQLite file or a PostgreSQL database.</summary>
public abstract class TestDatabase : IAsyncLifetime
{
    public abstract DatabaseProvider Provider { get; }

    public abstract string ConnectionString { get; }

    /// <summary>The configuration a host needs to use this database.</summary>
    public abstract IReadOnlyDictionary<string, string?> AppSettings { get; }

    /// <summary>A context outside any host, acting for whatever tenant <paramref name="tenantScope"/> has entered.</summary>
    public abstract ClientFlowDbContext CreateContext(TenantScope tenantScope);

    public virtual async Task<ClientFlowDbContext> CreateMigratedContextAsync(TenantScope tenantScope)
    {
        var db = CreateContext(tenantScope);
        await db.Database.MigrateAsync(TestContext.Current.CancellationToken);
        return db;
    }

    public abstract ValueTask InitializeAsync();

    public abstract ValueTask DisposeAsync();
}
