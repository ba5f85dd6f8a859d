using ClientFlow.Automation.Leads;
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

    /// <summary>ILIKE on email and name, each served by its <c>pg_trgm</c> GIN index; the term's wildcards are escaped.</summary>
    private protected override IQueryable<Lead> LeadsMatchingByTrigrams(string term)
    {
        var pattern = "%" + term.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
        return Leads.Where(l => EF.Functions.ILike(l.Email, pattern, "\\") || (l.Name != null && EF.Functions.ILike(l.Name, pattern, "\\")));
    }
}
