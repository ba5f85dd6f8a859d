using ClientFlow.Automation.Data;
using ClientFlow.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ClientFlow.Tests.Integration.Data;

/// <summary>
/// With readers always active, SQLite's own passive checkpoints never start the write-ahead log over and it grows
/// without bound; the app's periodic checkpoint copies it into the database file and truncates it.
/// </summary>
public sealed class SqliteWalCheckpointTests : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Checkpoint_UnderOverlappingReaders_TruncatesTheLog_AndKeepsEveryRow()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        // The app's own timer is put out of the way; the test runs the app's checkpoint itself.
        await using var app = new ClientFlowAppFactory(_database, settings: new Dictionary<string, string?> { ["Database:SqliteCheckpointInterval"] = "01:00:00" });
        await app.StartAsync();
        var checkpoint = app.Services.GetRequiredService<SqliteWalCheckpoint>();
        Assert.Contains(checkpoint, app.Services.GetServices<IHostedService>());

        await using var writer = await OpenAsync(cancellationToken);
        await ExecuteAsync(writer, "CREATE TABLE wal_probe (id INTEGER PRIMARY KEY, body BLOB NOT NULL)", cancellationToken);

        // Reader A holds a snapshot while rows are written, as a page or a job always does somewhere.
        var readerA = await BeginReadAsync(cancellationToken);
        for (var batch = 0; batch < 40; batch++)
        {
            await ExecuteAsync(writer, "INSERT INTO wal_probe (body) SELECT randomblob(4096) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 25) SELECT i FROM n)", cancellationToken);
        }

        // Reader B starts before A ends: there is never a moment without a reader.
        var readerB = await BeginReadAsync(cancellationToken);
        await EndReadAsync(readerA, cancellationToken);
        await ExecuteAsync(writer, "INSERT INTO wal_probe (body) VALUES (randomblob(4096))", cancellationToken);
        var logBefore = new FileInfo(WalPath).Length;
        Assert.True(logBefore > 4_000_000, $"the log holds the writes ({logBefore} bytes)");

        // B finishes while the checkpoint waits for it.
        var endB = Task.Run(async () =>
        {
            await Task.Delay(300, cancellationToken);
            await EndReadAsync(readerB, cancellationToken);
        }, cancellationToken);
        Assert.True(await checkpoint.CheckpointAsync(cancellationToken));
        await endB;

        Assert.Equal(0, new FileInfo(WalPath).Length);
        await using var count = writer.CreateCommand();
        count.CommandText = "SELECT count(*) FROM wal_probe";
        Assert.Equal(1001L, (long)(await count.ExecuteScalarAsync(cancellationToken))!);
    }

    private string WalPath => Path.Combine(_database.Folder, "clientflow.db-wal");

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_database.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "PRAGMA busy_timeout = 30000", cancellationToken);
        return connection;
    }

    /// <summary>A connection inside a read transaction that has taken its snapshot (<see cref="EndReadAsync"/> ends it).</summary>
    private async Task<SqliteConnection> BeginReadAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "BEGIN", cancellationToken);
        await ExecuteAsync(connection, "SELECT count(*) FROM wal_probe", cancellationToken);
        return connection;
    }

    private static async Task EndReadAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, "COMMIT", cancellationToken);
        await connection.DisposeAsync();
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
