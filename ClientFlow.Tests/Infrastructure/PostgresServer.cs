namespace ClientFlow.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server the PostgreSQL tests use: <c>CLIENTFLOW_TEST_POSTGRES</c> is a connection
/// string to it with rights to create databases and roles (.ci/run starts one and sets it).
/// With <c>CLIENTFLOW_REQUIRE_POSTGRES=true</c> (as in CI) a missing server fails the tests
/// instead of skipping them.
/// </summary>
public static class PostgresServer
{
    public const string ConnectionVariable = "CLIENTFLOW_TEST_POSTGRES";
    public const string RequireVariable = "CLIENTFLOW_REQUIRE_POSTGRES";

    public static string ConnectionString
    {
        get
        {
            var connectionString = Environment.GetEnvironmentVariable(ConnectionVariable);
            if (!string.IsNullOrWhiteSpace(connectionString))
            {
                return connectionString;
            }

            var message = $"No PostgreSQL server: set {ConnectionVariable} to a connection string (README, 'Tests').";
            if (string.Equals(Environment.GetEnvironmentVariable(RequireVariable), "true", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(message + $" {RequireVariable} is true, so this is a failure.");
            }

            Assert.Skip(message);
            return null!;
        }
    }
}
