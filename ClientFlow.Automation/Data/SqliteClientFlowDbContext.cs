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

    internal override Task InsertEmailClaimIfAbsentAsync(string email, Guid tenantId, DateTimeOffset claimedAt, CancellationToken cancellationToken) =>
        Database.ExecuteSqlInterpolatedAsync(
            $"""INSERT INTO "LeadEmailClaims" ("Email", "TenantId", "ClaimedAt") VALUES ({email}, {tenantId}, {(long)TimeConverter.ConvertToProvider(claimedAt)!}) ON CONFLICT ("Email") DO NOTHING""",
            cancellationToken);

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);

        // SQLite has no date type: store instants as sortable integers so ORDER BY and comparisons translate.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}
