namespace ClientFlow.Automation.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}
