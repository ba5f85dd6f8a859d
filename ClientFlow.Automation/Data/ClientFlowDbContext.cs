using ClientFlow.Automation.Auditing;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Templates;
using ClientFlow.Automation.Workflows;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Leads.Import;
using ClientFlow.Automation.Outbox;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Automation.Webhooks;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace ClientFlow.Automation.Data;

/// <summary>
/// The one model, shared by both providers. Each provider has a sealed subclass with its own
/// migration set (<c>Data/Migrations/Sqlite</c>, <c>Data/Migrations/Postgres</c>).
/// Tenant isolation lives in <c>ClientFlowDbContext.TenantFilter.cs</c>.
/// </summary>
public abstract partial class ClientFlowDbContext : IdentityDbContext<ClientFlowUser>, IDataProtectionKeyContext
{
    private readonly ITenantContext _tenantContext;

    protected ClientFlowDbContext(DbContextOptions options, ITenantContext tenantContext)
        : base(options)
    {
        _tenantContext = tenantContext;
    }

    public DbSet<Tenant> Tenants => Set<Tenant>();

    public DbSet<Lead> Leads => Set<Lead>();

    public DbSet<LeadTag> LeadTags => Set<LeadTag>();

    public DbSet<LeadEmailClaim> LeadEmailClaims => Set<LeadEmailClaim>();

    public DbSet<Email.Suppression> Suppressions => Set<Email.Suppression>();

    public DbSet<LeadImport> LeadImports => Set<LeadImport>();

    public DbSet<LeadImportRejection> LeadImportRejections => Set<LeadImportRejection>();

    public DbSet<OutboundOperation> OutboundOperations => Set<OutboundOperation>();

    public DbSet<EmailTemplate> EmailTemplates => Set<EmailTemplate>();

    public DbSet<Workflow> Workflows => Set<Workflow>();

    public DbSet<WorkflowVersion> WorkflowVersions => Set<WorkflowVersion>();

    public DbSet<WorkflowRun> WorkflowRuns => Set<WorkflowRun>();

    public DbSet<RunStep> RunSteps => Set<RunStep>();

    public DbSet<EmailMessage> EmailMessages => Set<EmailMessage>();

    public DbSet<InboundEvent> InboundEvents => Set<InboundEvent>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<DailyUsage> DailyUsages => Set<DailyUsage>();

    public DbSet<ErasedAddress> ErasedAddresses => Set<ErasedAddress>();

    public DbSet<Conversions.BrokerConnection> BrokerConnections => Set<Conversions.BrokerConnection>();

    public DbSet<Conversions.BrokerEvent> BrokerEvents => Set<Conversions.BrokerEvent>();

    public DbSet<Conversions.ReferralClick> ReferralClicks => Set<Conversions.ReferralClick>();

    public DbSet<Systeme.SystemeBudget> SystemeBudgets => Set<Systeme.SystemeBudget>();

    public DbSet<Counters.TenantCounter> TenantCounters => Set<Counters.TenantCounter>();

    public DbSet<Systeme.SystemeReconcile> SystemeReconciles => Set<Systeme.SystemeReconcile>();

    public DbSet<Systeme.SystemeConnectionTest> SystemeConnectionTests => Set<Systeme.SystemeConnectionTest>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>Claims each email for <paramref name="tenantId"/> unless someone holds it already (one insert per chunk, tolerating conflicts).</summary>
    internal async Task InsertEmailClaimsIfAbsentAsync(IReadOnlyList<string> emails, Guid tenantId, DateTimeOffset claimedAt, CancellationToken cancellationToken)
    {
        var claimedAtValue = ProviderValue(claimedAt);
        foreach (var chunk in emails.Chunk(200))
        {
            var values = string.Join(", ", chunk.Select((_, i) => $"({{{3 * i}}}, {{{(3 * i) + 1}}}, {{{(3 * i) + 2}}})"));
            var parameters = chunk.SelectMany(email => new object[] { email, tenantId, claimedAtValue }).ToArray();

            // Only numbered placeholders are spliced in; every value travels as a parameter.
            var sql = $"""INSERT INTO "LeadEmailClaims" ("Email", "TenantId", "ClaimedAt") VALUES {values} ON CONFLICT ("Email") DO NOTHING""";
            await Database.ExecuteSqlRawAsync(sql, parameters, cancellationToken);
        }
    }

    /// <summary>
    /// Records the outcomes of the events <paramref name="owner"/>'s claim holds, in one statement (an event whose claim
    /// lapsed to another worker is left as that worker has it).
    /// </summary>
    /// <remarks>
    /// One statement, not an update each: SQLite prepares every statement anew, and a hundred of them held its one writer
    /// several milliseconds while webhooks waited to be stored. Its text here grows with the batch, which costs SQLite
    /// nothing (it keeps no prepared statements); PostgreSQL's override is one text for every size.
    /// </remarks>
    internal virtual async Task RecordInboundOutcomesAsync(
        IReadOnlyList<(Guid EventId, Webhooks.InboundStatus Status, string Outcome)> outcomes, Guid owner, Guid tenantId, DateTimeOffset processedAt, CancellationToken cancellationToken)
    {
        if (outcomes.Count == 0)
        {
            return;
        }

        // Placeholders {3i}, {3i+1}, {3i+2} are event i's id, status and outcome; the last three are the rest.
        var fixedAt = 3 * outcomes.Count;
        string Cases(int offset) => string.Concat(outcomes.Select((_, i) => $" WHEN {{{3 * i}}} THEN {{{(3 * i) + offset}}}"));
        var ids = string.Join(", ", outcomes.Select((_, i) => $"{{{3 * i}}}"));
        var parameters = outcomes.SelectMany(o => new object[] { o.EventId, o.Status.ToString(), o.Outcome })
            .Concat([ProviderValue(processedAt), tenantId, owner])
            .ToArray();

        // Only numbered placeholders are spliced in; every value travels as a parameter.
        var sql = $$"""
            UPDATE "InboundEvents" SET "Status" = CASE "Id"{{Cases(1)}} END, "Outcome" = CASE "Id"{{Cases(2)}} END,
            "ProcessedAt" = {{{fixedAt}}}, "TenantId" = {{{fixedAt + 1}}}, "LeaseOwner" = NULL
            WHERE "Id" IN ({{ids}}) AND "LeaseOwner" = {{{fixedAt + 2}}}
            """;
        await Database.ExecuteSqlRawAsync(sql, parameters, cancellationToken);
    }

    /// <summary>Creates the day's usage row with one taken; false when another writer created it first (it is not changed then).</summary>
    internal async Task<bool> InsertDailyUsageIfAbsentAsync(Guid tenantId, DateOnly day, DailyLimitKind kind, CancellationToken cancellationToken) =>
        await Database.ExecuteSqlRawAsync(
            """INSERT INTO "DailyUsages" ("TenantId", "Day", "Kind", "Used") VALUES ({0}, {1}, {2}, 1) ON CONFLICT ("TenantId", "Day", "Kind") DO NOTHING""",
            [tenantId, day, (int)kind],
            cancellationToken) == 1;

    /// <summary>
    /// The IB's leads whose email or name contains <paramref name="term"/> in any case, found through the provider's
    /// trigram index (SQLite FTS5, PostgreSQL <c>pg_trgm</c>) when the term has <see cref="TrigramLength"/> characters or
    /// more; a shorter term reads the leads one by one, as no trigram index can serve it.
    /// </summary>
    public IQueryable<Lead> LeadsMatching(string term)
    {
        ArgumentNullException.ThrowIfNull(term);
        var lowered = term.Trim().ToLowerInvariant();
#pragma warning disable CA1304, CA1311, CA1862 // Translated to SQL lower(...): no .NET culture is involved.
        return lowered.Length < TrigramLength
            ? Leads.Where(l => l.Email.Contains(lowered) || (l.Name != null && l.Name.ToLower().Contains(lowered)))
            : LeadsMatchingByTrigrams(lowered);
#pragma warning restore CA1304, CA1311, CA1862
    }

    public const int TrigramLength = 3;

    private protected abstract IQueryable<Lead> LeadsMatchingByTrigrams(string term);

    /// <summary>A date as this provider stores it, for raw SQL.</summary>
    private protected virtual object ProviderValue(DateTimeOffset value) => value;

    /// <summary>True when the failure is a unique-index violation (the provider says how).</summary>
    public abstract bool IsUniqueViolation(DbUpdateException exception);

    /// <summary>True when another writer got there first: a unique key or a concurrency token refused the save, which rolled back whole.</summary>
    public bool IsLostRace(DbUpdateException exception) => exception is DbUpdateConcurrencyException || IsUniqueViolation(exception);

    /// <summary>
    /// Identity sizes its login and token keys from <c>IdentityOptions.Stores.MaxLengthForKeys</c>, read at
    /// run time from the host (128 with Identity UI) and absent without one. Pinning them here gives one model
    /// whether the context is built by the app, by <c>dotnet ef</c> or by a test.
    /// </summary>
    private static void PinIdentityKeyLengths(ModelBuilder builder)
    {
        const int keyLength = 128;
        builder.Entity<IdentityUserLogin<string>>(b =>
        {
            b.Property(l => l.LoginProvider).HasMaxLength(keyLength);
            b.Property(l => l.ProviderKey).HasMaxLength(keyLength);
        });
        builder.Entity<IdentityUserToken<string>>(b =>
        {
            b.Property(t => t.LoginProvider).HasMaxLength(keyLength);
            b.Property(t => t.Name).HasMaxLength(keyLength);
        });
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        PinIdentityKeyLengths(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(ClientFlowDbContext).Assembly);
        ApplyTenantIsolation(builder);
        GenerateTimeOrderedKeys(builder);
    }

    /// <summary>Every key EF generates for a new row is a <see cref="Version7GuidValueGenerator"/> key, on both providers.</summary>
    private static void GenerateTimeOrderedKeys(ModelBuilder builder)
    {
        var keys = builder.Model.GetEntityTypes()
            .Select(t => t.FindPrimaryKey())
            .Where(k => k is { Properties: [{ ClrType: var type, ValueGenerated: ValueGenerated.OnAdd }] } && type == typeof(Guid))
            .Select(k => k!.Properties[0])
            .ToList();
        foreach (var key in keys)
        {
            builder.Entity(key.DeclaringType.ClrType).Property(key.Name).HasValueGenerator<Version7GuidValueGenerator>();
        }
    }
}
