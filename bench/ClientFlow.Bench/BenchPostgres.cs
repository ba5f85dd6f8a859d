using Npgsql;

namespace ClientFlow.Bench;

/// <summary>
/// A fresh PostgreSQL database for one harness run, set up as production runs it: an owner role that migrates and an
/// app role that owns nothing and is bound by row-level security. Dropped, with its roles, at the end.
/// </summary>
public sealed class BenchPostgres : IAsyncDisposable
{
    private const string Password = "cf-bench";
    private readonly string _server;
    private readonly string _name = "cf_bench_" + Guid.NewGuid().ToString("N")[..12];

    private BenchPostgres(string server) => _server = server;

    /// <summary>The app role's connection string (<c>ConnectionStrings:Postgres</c>).</summary>
    public string AppConnectionString => Connection(_name + "_app");

    /// <summary>The owner role's connection string (<c>ConnectionStrings:PostgresMigrations</c>).</summary>
    public string OwnerConnectionString => Connection(_name + "_owner");

    /// <param name="server">A superuser's connection string, used only to create and drop the database and its roles.</param>
    public static async Task<BenchPostgres> CreateAsync(string server)
    {
        var database = new BenchPostgres(server);
        await database.ExecuteAsync($"""
            CREATE ROLE "{database._name}_owner" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD '{Password}';
            CREATE ROLE "{database._name}_app" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD '{Password}';
            """);
        await database.ExecuteAsync($"CREATE DATABASE \"{database._name}\" OWNER \"{database._name}_owner\"");
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)");
        await ExecuteAsync($"DROP ROLE IF EXISTS \"{_name}_app\"; DROP ROLE IF EXISTS \"{_name}_owner\"");
    }

    private string Connection(string role) =>
        new NpgsqlConnectionStringBuilder(_server) { Database = _name, Username = role, Password = Password, MaxPoolSize = 50 }.ToString();

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
