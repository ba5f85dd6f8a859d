using ClientFlow.Automation.Data;
using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ClientFlow.Tests.Infrastructure;

/// <summary>
/// A fresh PostgreSQL database on <see cref="PostgresServer"/>, dropped afterwards, set up as production
/// runs it (DESIGN.md): an owner role that owns the database and runs the migrations, and an app role
/// that owns nothing, is not BYPASSRLS and gets only DML on the owner's tables. The app, and every
/// context a test opens, connects as the app role, so row-level security binds them.
/// </summary>
public sealed class PostgresTestDatabase : TestDatabase
{
    private const string Password = "cf-test";
    private string? _connectionString;

    public string Name { get; } = "cf_test_" + Guid.NewGuid().ToString("N")[..12];

    public string OwnerRole => Name + "_owner";

    public string AppRole => Name + "_app";

    /// <summary>The app role: what <c>ConnectionStrings:Postgres</c> is set to.</summary>
    public override string ConnectionString => _connectionString ?? throw new InvalidOperationException("Not initialized.");

    /// <summary>The owner role: what <c>ConnectionStrings:PostgresMigrations</c> is set to.</summary>
    public string OwnerConnectionString { get; private set; } = string.Empty;

    /// <summary>The server's superuser, for creating and dropping databases and roles only.</summary>
    public string ServerConnectionString { get; private set; } = string.Empty;

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    public override IReadOnlyDictionary<string, string?> AppSettings => new Dictionary<string, string?>
    {
        ["Database:Provider"] = "Postgres",
        ["ConnectionStrings:Postgres"] = ConnectionString,
        ["ConnectionStrings:PostgresMigrations"] = OwnerConnectionString,
    };

    public override ClientFlowDbContext CreateContext(TenantScope tenantScope) => CreateContext(tenantScope, ConnectionString);

    public static ClientFlowDbContext CreateContext(TenantScope tenantScope, string connectionString)
    {
        var options = new DbContextOptionsBuilder<PostgresClientFlowDbContext>();
        options.UseClientFlowPostgres(connectionString);
        return new PostgresClientFlowDbContext(options.Options, tenantScope);
    }

    /// <summary>Migrates as the owner and grants the app role its DML, as the app does at start-up; the context is the app role's.</summary>
    public override async Task<ClientFlowDbContext> CreateMigratedContextAsync(TenantScope tenantScope)
    {
        await PostgresRoles.MigrateAsOwnerAsync(OwnerConnectionString, TestContext.Current.CancellationToken);
        await PostgresRoles.GrantDataAccessAsync(OwnerConnectionString, ConnectionString, ["public"], TestContext.Current.CancellationToken);
        return CreateContext(tenantScope);
    }

    public override async ValueTask InitializeAsync()
    {
        ServerConnectionString = PostgresServer.ConnectionString;
        await ExecuteAsync(ServerConnectionString, $"""
            CREATE ROLE "{OwnerRole}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD '{Password}';
            CREATE ROLE "{AppRole}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD '{Password}';
            """);
        await ExecuteAsync(ServerConnectionString, $"CREATE DATABASE \"{Name}\" OWNER \"{OwnerRole}\"");

        var server = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = Name, Password = Password };
        OwnerConnectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Username = OwnerRole }.ToString();
        _connectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Username = AppRole }.ToString();
    }

    public override async ValueTask DisposeAsync()
    {
        if (_connectionString is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync(ServerConnectionString, $"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
        await ExecuteAsync(ServerConnectionString, $"DROP ROLE IF EXISTS \"{AppRole}\"; DROP ROLE IF EXISTS \"{OwnerRole}\"");
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(CancellationToken.None);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }
}
