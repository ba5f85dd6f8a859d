using ClientFlow.Automation.Data;
using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ClientFlow.Tests.Infrastructure;

/// <summary>A fresh PostgreSQL database on <see cref="PostgresServer"/>, dropped afterwards.</summary>
public sealed class PostgresTestDatabase : TestDatabase
{
    private string? _connectionString;

    public string Name { get; } = "cf_test_" + Guid.NewGuid().ToString("N")[..12];

    public override string ConnectionString => _connectionString ?? throw new InvalidOperationException("Not initialized.");

    public string ServerConnectionString { get; private set; } = string.Empty;

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    public override IReadOnlyDictionary<string, string?> AppSettings => new Dictionary<string, string?>
    {
        ["Database:Provider"] = "Postgres",
        ["ConnectionStrings:Postgres"] = ConnectionString,
    };

    public override ClientFlowDbContext CreateContext(TenantScope tenantScope) => CreateContext(tenantScope, ConnectionString);

    public static ClientFlowDbContext CreateContext(TenantScope tenantScope, string connectionString)
    {
        var options = new DbContextOptionsBuilder<PostgresClientFlowDbContext>();
        options.UseClientFlowPostgres(connectionString);
        return new PostgresClientFlowDbContext(options.Options, tenantScope);
    }

    public override async ValueTask InitializeAsync()
    {
        ServerConnectionString = PostgresServer.ConnectionString;
        await using (var server = new NpgsqlConnection(ServerConnectionString))
        {
            await server.OpenAsync(TestContext.Current.CancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{Name}\"", server);
            await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        _connectionString = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = Name }.ToString();
    }

    public override async ValueTask DisposeAsync()
    {
        if (_connectionString is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var server = new NpgsqlConnection(ServerConnectionString);
        await server.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", server);
        await drop.ExecuteNonQueryAsync();
    }
}
