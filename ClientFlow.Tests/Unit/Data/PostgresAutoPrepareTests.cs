using ClientFlow.Automation.Data;
using Npgsql;

namespace ClientFlow.Tests.Unit.Data;

public sealed class PostgresAutoPrepareTests
{
    [Fact]
    public void Apply_PreparesStatementsUsedTwice_WhenTheConnectionStringSaysNothing()
    {
        var applied = new NpgsqlConnectionStringBuilder(PostgresAutoPrepare.Apply("Host=db;Database=clientflow;Username=app"));

        Assert.Equal(PostgresAutoPrepare.MaxStatements, applied.MaxAutoPrepare);
        Assert.Equal(2, applied.AutoPrepareMinUsages);
        Assert.Equal("db", applied.Host);
        Assert.Equal("app", applied.Username);
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0", 0)]
    [InlineData("Host=db;MaxAutoPrepare=10", 10)]
    [InlineData("Host=db;max auto prepare=5", 5)]
    public void Apply_KeepsTheOperatorsOwnSetting(string connectionString, int expected)
    {
        var applied = new NpgsqlConnectionStringBuilder(PostgresAutoPrepare.Apply(connectionString));

        Assert.Equal(expected, applied.MaxAutoPrepare);
    }
}
