using System.ComponentModel.DataAnnotations;

namespace ClientFlow.Automation.Data;

/// <summary><c>Database:Provider</c> with <c>ConnectionStrings:Sqlite</c> or <c>ConnectionStrings:Postgres</c>.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";
    public const string DefaultSqliteConnectionString = "Data Source=App_Data/clientflow.db";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>How often SQLite's write-ahead log is copied into the database file and truncated (<see cref="SqliteWalCheckpoint"/>).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan SqliteCheckpointInterval { get; set; } = TimeSpan.FromSeconds(30);
}
