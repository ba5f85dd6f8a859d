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
    /// <summary>
    /// <c>journal_size_limit</c>: each time the write-ahead log starts over, its file is cut back to 64 MiB instead of
    /// keeping the largest size it ever reached (<see cref="SqliteWalCheckpoint"/> makes sure it starts over).
    /// </summary>
    private const string Sql = "PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 30000; PRAGMA journal_size_limit = 67108864;";

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
