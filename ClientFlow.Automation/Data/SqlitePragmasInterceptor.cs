using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ClientFlow.Automation.Data;

/// <summary>
/// SQLite per-connection settings for a database many jobs write at once. EF Core creates the file in WAL mode;
/// <c>synchronous = NORMAL</c> is SQLite's recommended pairing with WAL: a commit no longer waits for an fsync of the
/// log (the database stays consistent; a power cut, not an app crash, may lose the last commits), so the one writer
/// SQLite allows holds its lock for microseconds instead of a disk flush per transaction.
/// </summary>
internal sealed class SqlitePragmasInterceptor : DbConnectionInterceptor
{
    private const string Sql = "PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 30000;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Sql;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
