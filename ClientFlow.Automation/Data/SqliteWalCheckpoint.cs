using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClientFlow.Automation.Data;

/// <summary>
/// Keeps SQLite's write-ahead log from growing without bound. SQLite's own checkpoint after each commit is passive: it
/// copies the log into the database file but can only start the log over at a moment when no reader is using it, and
/// with jobs and pages always reading that moment never came (the 100,000-row import grew the log to 2.1 GB beside a
/// 0.5 GB file, and every read searches the log's index). Every <see cref="DatabaseOptions.SqliteCheckpointInterval"/>
/// this runs <c>wal_checkpoint(TRUNCATE)</c>: new writers wait while it copies the log and the readers of older
/// snapshots finish (new readers read the file), then the log is truncated to nothing. It waits for readers at most
/// <see cref="BusyTimeoutMilliseconds"/> and otherwise tries again next time, so a writer never waits on it for long.
/// </summary>
/// <remarks>
/// Its timer runs on the machine's clock, not the app's <see cref="TimeProvider"/>: the log grows with real time, and a
/// test that moves the app's clock a hundred days on must not run 288,000 checkpoints.
/// </remarks>
public sealed partial class SqliteWalCheckpoint(string connectionString, TimeSpan interval, ILogger<SqliteWalCheckpoint> logger)
    : BackgroundService
{
    public const int BusyTimeoutMilliseconds = 2000;

    /// <summary>One checkpoint; true when the log was copied whole and truncated, false when readers or a writer kept it busy.</summary>
    public async Task<bool> CheckpointAsync(CancellationToken cancellationToken)
    {
        // Unpooled: its short busy timeout must not be handed on to the app's connections.
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
        await connection.OpenAsync(cancellationToken);
        await using (var timeout = connection.CreateCommand())
        {
            timeout.CommandText = $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}";
            await timeout.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return false;
        }

        // (busy, frames in the log, frames copied): busy is 1 when the checkpoint could not finish; -1 frames, not in WAL mode.
        var busy = reader.GetInt32(0);
        var frames = reader.GetInt64(1);
        if (busy != 0)
        {
            LogBusy(frames);
        }

        return busy == 0 && frames >= 0;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await CheckpointAsync(stoppingToken);
            }
            catch (SqliteException ex)
            {
                LogFailed(ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SQLite checkpoint: readers or a writer kept the log busy ({Frames} frames); trying again at the next interval")]
    private partial void LogBusy(long frames);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQLite checkpoint failed; trying again at the next interval")]
    private partial void LogFailed(Exception exception);
}
