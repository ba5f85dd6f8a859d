using ClientFlow.Automation.Data;
using ClientFlow.Automation.Tenancy;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Tests.Infrastructure;

/// <summary>A SQLite file in a fresh temporary folder (no EF in-memory provider).</summary>
public sealed class SqliteTestDatabase(string relativePath) : TestDatabase
{
    public SqliteTestDatabase()
        : this("clientflow.db")
    {
    }

    public string Folder { get; } = Directory.CreateTempSubdirectory("clientflow-tests-").FullName;

    public override string ConnectionString => $"Data Source={Path.Combine(Folder, relativePath)}";

    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    public override IReadOnlyDictionary<string, string?> AppSettings => new Dictionary<string, string?>
    {
        ["Database:Provider"] = "Sqlite",
        ["ConnectionStrings:Sqlite"] = ConnectionString,
    };

    public override ClientFlowDbContext CreateContext(TenantScope tenantScope) =>
        new SqliteClientFlowDbContext(
            new DbContextOptionsBuilder<SqliteClientFlowDbContext>().UseSqlite(ConnectionString).Options,
            tenantScope);

    public override ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A host still shutting down may hold the file for a moment; the OS temp cleaner gets it.
        }

        return ValueTask.CompletedTask;
    }
}
