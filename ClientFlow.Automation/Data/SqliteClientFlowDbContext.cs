using ClientFlow.Automation.Tenancy;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace ClientFlow.Automation.Data;

/// <summary>The embedded default. Migrations: <c>Data/Migrations/Sqlite</c>.</summary>
public sealed class SqliteClientFlowDbContext(DbContextOptions<SqliteClientFlowDbContext> options, ITenantContext tenantContext)
    : ClientFlowDbContext(options, tenantContext)
{
    private const int SqliteConstraint = 19;
    private static readonly DateTimeOffsetToBinaryConverter TimeConverter = new();

    public override bool IsUniqueViolation(DbUpdateException exception) =>
        exception.InnerException is SqliteException { SqliteErrorCode: SqliteConstraint } sqlite
        && sqlite.Message.Contains("UNIQUE", StringComparison.Ordinal);

    private protected override object ProviderValue(DateTimeOffset value) => (long)TimeConverter.ConvertToProvider(value)!;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);

        // SQLite has no date type: store instants as sortable integers so ORDER BY and comparisons translate.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}
