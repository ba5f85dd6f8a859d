using System.Data.Common;
using Npgsql;

namespace ClientFlow.Automation.Data;

/// <summary>
/// Npgsql's automatic preparation for ClientFlow's PostgreSQL connections, the app's and Hangfire's: a statement run
/// twice on a connection is prepared there, and its later runs skip PostgreSQL's parsing and planning. The engine's
/// and Hangfire's statements repeat thousands of times a minute on a handful of pooled connections; the benchmark
/// measured their cost (docs/benchmarks.md). A connection string that sets <c>Max Auto Prepare</c> itself keeps its
/// own value: 0 turns preparation off, as a pooler in transaction mode without prepared-statement support needs.
/// </summary>
public static class PostgresAutoPrepare
{
    /// <summary>Statements each connection keeps prepared (Npgsql evicts the least used beyond it).</summary>
    public const int MaxStatements = 64;

    public static string Apply(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (given.ContainsKey("Max Auto Prepare") || given.ContainsKey("MaxAutoPrepare"))
        {
            return connectionString;
        }

        var builder = new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = MaxStatements, AutoPrepareMinUsages = 2 };
        return builder.ConnectionString;
    }
}
