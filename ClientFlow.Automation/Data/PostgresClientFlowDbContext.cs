using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ClientFlow.Automation.Data;

/// <summary>The production database, with row-level security on every tenant table. Migrations: <c>Data/Migrations/Postgres</c>.</summary>
public sealed class PostgresClientFlowDbContext(DbContextOptions<PostgresClientFlowDbContext> options, ITenantContext tenantContext)
    : ClientFlowDbContext(options, tenantContext)
{
    public override bool IsUniqueViolation(DbUpdateException exception) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
