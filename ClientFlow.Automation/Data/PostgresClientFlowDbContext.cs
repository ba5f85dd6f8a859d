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

    /// <summary>
    /// ILIKE on email and name through <c>clientflow_search_leads</c>, which reads the <c>pg_trgm</c> GIN indexes of
    /// "LeadSearchRows" for the session's tenant (the migration LeadSearchUnderRowSecurity says why not "Leads"); the
    /// term's wildcards are escaped. The ids join "Leads" by key, under its policy and the tenant filter as any query.
    /// </summary>
    private protected override IQueryable<Lead> LeadsMatchingByTrigrams(string term)
    {
        var pattern = "%" + term.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
        var ids = Database.SqlQuery<Guid>($"SELECT s.\"Value\" FROM clientflow_search_leads({pattern}) AS s(\"Value\")");
        return Leads.Where(l => ids.Contains(l.Id));
    }
}
