using ClientFlow.Automation.Data;
using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace ClientFlow.Tests.Integration.Data;

/// <summary>Each provider's migration set matches the model: no change was left without a migration.</summary>
public sealed class MigrationsTests
{
    [Fact]
    public void Sqlite_HasNoPendingModelChanges()
    {
        var options = new DbContextOptionsBuilder<SqliteClientFlowDbContext>().UseSqlite("Data Source=:memory:").Options;
        using var db = new SqliteClientFlowDbContext(options, new TenantScope());

        Assert.False(db.Database.HasPendingModelChanges(), "Run 'dotnet ef migrations add' for SqliteClientFlowDbContext (README).");
    }

    [Fact]
    public void Postgres_HasNoPendingModelChanges()
    {
        // Building the model needs no server.
        var options = new DbContextOptionsBuilder<PostgresClientFlowDbContext>();
        options.UseClientFlowPostgres("Host=127.0.0.1;Database=model-only");
        using var db = new PostgresClientFlowDbContext(options.Options, new TenantScope());

        Assert.False(db.Database.HasPendingModelChanges(), "Run 'dotnet ef migrations add' for PostgresClientFlowDbContext (README).");
    }

    [Fact]
    public void Postgres_MigrationsEnableRowLevelSecurity_OnEveryTenantTable()
    {
        var options = new DbContextOptionsBuilder<PostgresClientFlowDbContext>();
        options.UseClientFlowPostgres("Host=127.0.0.1;Database=model-only");
        using var db = new PostgresClientFlowDbContext(options.Options, new TenantScope());

        var tenantTables = db.Model.GetEntityTypes()
            .Where(t => typeof(ITenantOwned).IsAssignableFrom(t.ClrType))
            .Select(t => t.GetTableName()!)
            .Order()
            .ToList();
        var migrationsScript = db.GetService<IMigrator>().GenerateScript();

        Assert.NotEmpty(tenantTables);
        Assert.All(tenantTables, table =>
        {
            Assert.Contains($"ALTER TABLE \"{table}\" FORCE ROW LEVEL SECURITY", migrationsScript, StringComparison.Ordinal);
            Assert.Contains($"CREATE POLICY {RowLevelSecurity.PolicyName} ON \"{table}\"", migrationsScript, StringComparison.Ordinal);
        });
    }
}
