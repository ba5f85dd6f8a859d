using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ClientFlow.Automation.Data;

/// <summary>
/// PostgreSQL as production runs it: two roles. The owner (<c>ConnectionStrings:PostgresMigrations</c>)
/// creates and alters the schema and grants the app role (<c>ConnectionStrings:Postgres</c>) nothing but
/// DML on what it created. The app role owns nothing and is not BYPASSRLS, so the forced row-level
/// security policies bind every query it runs, and it cannot switch them off.
/// </summary>
public static class PostgresRoles
{
    /// <summary>Runs the migrations as the owner.</summary>
    public static async Task MigrateAsOwnerAsync(string ownerConnectionString, CancellationToken cancellationToken)
    {
        var options = new DbContextOptionsBuilder<PostgresClientFlowDbContext>();
        options.UseClientFlowPostgres(ownerConnectionString);
        await using var owner = new PostgresClientFlowDbContext(options.Options, new TenantScope());
        await owner.Database.MigrateAsync(cancellationToken);
    }

    /// <summary>
    /// As the owner, grants the app role of <paramref name="appConnectionString"/> USAGE on each existing schema
    /// named and SELECT, INSERT, UPDATE, DELETE on its tables (and its sequences' values). Idempotent; run after
    /// every migration. Nothing to do when both connect as the same role.
    /// </summary>
    public static async Task GrantDataAccessAsync(string ownerConnectionString, string appConnectionString, IReadOnlyList<string> schemas, CancellationToken cancellationToken)
    {
        var owner = new NpgsqlConnectionStringBuilder(ownerConnectionString);
        var app = new NpgsqlConnectionStringBuilder(appConnectionString).Username;
        if (string.IsNullOrEmpty(app) || string.Equals(app, owner.Username, StringComparison.Ordinal))
        {
            return;
        }

        await using var connection = new NpgsqlConnection(ownerConnectionString);
        await connection.OpenAsync(cancellationToken);
        var existing = new List<string>();
        await using (var find = new NpgsqlCommand("SELECT nspname FROM pg_namespace WHERE nspname = ANY(@schemas) ORDER BY nspname", connection))
        {
            find.Parameters.AddWithValue("schemas", schemas.ToArray());
            await using var reader = await find.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                existing.Add(reader.GetString(0));
            }
        }

        if (existing.Count == 0)
        {
            return;
        }

        // Identifiers cannot be parameters: both are quoted, so a role or schema name is never read as SQL.
        var role = Quote(app);
        var names = string.Join(", ", existing.Select(Quote));
        await using var grant = new NpgsqlCommand(
            $"""
            GRANT USAGE ON SCHEMA {names} TO {role};
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {names} TO {role};
            GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {names} TO {role};
            """,
            connection);
        await grant.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
