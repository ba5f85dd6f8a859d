using ClientFlow.Automation.Leads;
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

    /// <summary>
    /// The FTS5 trigram table <c>LeadSearch</c> (kept by triggers on <c>Leads</c>, keyed by its rowid) gives the rows whose
    /// email or name holds the term; the phrase is quoted so no character of the term is FTS5 syntax.
    /// </summary>
    private protected override IQueryable<Lead> LeadsMatchingByTrigrams(string term)
    {
        var phrase = "\"" + term.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        return Leads.FromSql($"""SELECT * FROM "Leads" WHERE rowid IN (SELECT rowid FROM "LeadSearch" WHERE "LeadSearch" MATCH {phrase})""");
    }

    /// <summary>
    /// Microsoft.Data.Sqlite binds each parameter by name, and SQLite finds a name by walking the statement's list of
    /// names, so binding a statement costs the square of its parameters: 2,900 (a hundred leads) took a third of the
    /// import's time. A hundred or so keeps that small while a statement still writes several rows (its triggers are
    /// compiled once per statement).
    /// </summary>
    private protected override int ParametersPerInsert => 128;

    private protected override object ProviderValue(DateTimeOffset value) => (long)TimeConverter.ConvertToProvider(value)!;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);

        // SQLite has no date type: store instants as sortable integers so ORDER BY and comparisons translate.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}
