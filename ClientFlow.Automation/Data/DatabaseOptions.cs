namespace ClientFlow.Automation.Data;

/// <summary><c>Database:Provider</c> with <c>ConnectionStrings:Sqlite</c> or <c>ConnectionStrings:Postgres</c>.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";
    public const string DefaultSqliteConnectionString = "Data Source=App_Data/clientflow.db";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;
}
