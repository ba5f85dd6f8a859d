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
    /// The outcomes as three arrays joined to the events: one statement text whatever the batch's size, so it is prepared
    /// once (a text per size was parsed and planned again for each size, and each took a slot of the prepared statements).
    /// </summary>
    internal override async Task RecordInboundOutcomesAsync(
        IReadOnlyList<(Guid EventId, Webhooks.InboundStatus Status, string Outcome)> outcomes, Guid owner, Guid tenantId, DateTimeOffset processedAt, CancellationToken cancellationToken)
    {
        if (outcomes.Count == 0)
        {
            return;
        }

        var ids = outcomes.Select(o => o.EventId).ToArray();
        var statuses = outcomes.Select(o => o.Status.ToString()).ToArray();
        var texts = outcomes.Select(o => o.Outcome).ToArray();
        await Database.ExecuteSqlAsync(
            $"""
            UPDATE "InboundEvents" AS e SET "Status" = o.status, "Outcome" = o.outcome, "ProcessedAt" = {processedAt}, "TenantId" = {tenantId}, "LeaseOwner" = NULL
            FROM unnest({ids}, {statuses}, {texts}) AS o(id, status, outcome)
            WHERE e."Id" = o.id AND e."LeaseOwner" = {owner}
            """,
            cancellationToken);
    }

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
