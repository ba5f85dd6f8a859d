using System.Linq.Expressions;
using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace ClientFlow.Automation.Data;

public abstract partial class ClientFlowDbContext
{
    /// <summary>The named query filter on every <see cref="ITenantOwned"/> entity.</summary>
    public const string TenantFilter = "Tenant";

    /// <summary>
    /// Read through the context instance on every query (never captured in <c>OnModelCreating</c>:
    /// EF caches the model once per type, so a captured id would freeze on the first tenant).
    /// </summary>
    internal Guid? CurrentTenantId => _tenantContext.TenantId;

    /// <summary>True inside <see cref="ReadAcrossTenants"/>; PostgreSQL row-level security reads it too.</summary>
    internal bool IsReadingAcrossTenants { get; private set; }

    /// <summary>
    /// The one way to read across tenants: used only by the audited admin path
    /// (<see cref="TenantDirectory"/>). Queries must also lift the filter by name.
    /// </summary>
    internal IDisposable ReadAcrossTenants()
    {
        IsReadingAcrossTenants = true;
        return new CrossTenantExit(this);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        using var detected = DetectChangesOnce();
        EnforceTenantOnWrites();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        using var detected = DetectChangesOnce();
        EnforceTenantOnWrites();
        return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>
    /// Detects changes once for a write, where the tenant check's read of the tracker and EF's own save would each detect
    /// them again: a pass over every tracked entity, thousands in an import batch. Until disposed, automatic detection is
    /// off (null when it already was: nothing to restore); the tenant check changes entities only through their entries,
    /// which need no detection.
    /// </summary>
    private DetectionRestore? DetectChangesOnce()
    {
        if (!ChangeTracker.AutoDetectChangesEnabled)
        {
            return null;
        }

        ChangeTracker.DetectChanges();
        ChangeTracker.AutoDetectChangesEnabled = false;
        return new DetectionRestore(ChangeTracker);
    }

    private void ApplyTenantIsolation(ModelBuilder builder)
    {
        foreach (var entityType in builder.Model.GetEntityTypes().Where(t => typeof(ITenantOwned).IsAssignableFrom(t.ClrType)).ToList())
        {
            // e => e.TenantId == this.CurrentTenantId
            var entity = Expression.Parameter(entityType.ClrType, "e");
            var filter = Expression.Lambda(
                Expression.Equal(
                    Expression.Convert(Expression.Property(entity, nameof(ITenantOwned.TenantId)), typeof(Guid?)),
                    Expression.Property(Expression.Constant(this), nameof(CurrentTenantId))),
                entity);

            var entityBuilder = builder.Entity(entityType.ClrType);
            entityBuilder.HasQueryFilter(TenantFilter, filter);

            var tenantId = entityType.FindProperty(nameof(ITenantOwned.TenantId))!;
            if (!entityType.GetIndexes().Any(i => i.Properties[0] == tenantId) && entityType.FindPrimaryKey()?.Properties[0] != tenantId)
            {
                entityBuilder.HasIndex(nameof(ITenantOwned.TenantId));
            }
        }
    }

    private void EnforceTenantOnWrites()
    {
        // A list: setting a tenant that is part of a key re-keys the tracker, which an open enumeration would refuse.
        var writes = ChangeTracker.Entries<ITenantOwned>().Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted).ToList();
        foreach (var entry in writes)
        {
            var current = CurrentTenantId
                ?? throw new TenantIsolationException($"Cannot write {entry.Metadata.DisplayName()} without a tenant in scope.");
            if (_tenantContext is TenantScope { IsReadOnly: true })
            {
                throw new TenantIsolationException($"Refused to write a {entry.Metadata.DisplayName()} while inspecting a tenant: the admin's view only reads.");
            }

            if (entry.State == EntityState.Added)
            {
                if (entry.Entity.TenantId == Guid.Empty)
                {
                    // Through the entry, so the tracker needs no detection pass to see it: an added entity's original
                    // value is its value, or the entity, once saved, would look changed to another tenant.
                    var tenant = entry.Property(nameof(ITenantOwned.TenantId));
                    tenant.CurrentValue = current;
                    tenant.OriginalValue = current;
                }
                else if (entry.Entity.TenantId != current)
                {
                    throw CrossTenantWrite(entry);
                }

                continue;
            }

            var original = (Guid)entry.Property(nameof(ITenantOwned.TenantId)).OriginalValue!;
            if (original != current || entry.Entity.TenantId != current)
            {
                throw CrossTenantWrite(entry);
            }
        }
    }

    private static TenantIsolationException CrossTenantWrite(EntityEntry<ITenantOwned> entry) =>
        new($"Refused to {(entry.State switch { EntityState.Added => "insert", EntityState.Deleted => "delete", _ => "update" })} a {entry.Metadata.DisplayName()} of another tenant.");

    private sealed class CrossTenantExit(ClientFlowDbContext db) : IDisposable
    {
        public void Dispose() => db.IsReadingAcrossTenants = false;
    }

    private sealed class DetectionRestore(ChangeTracker tracker) : IDisposable
    {
        public void Dispose() => tracker.AutoDetectChangesEnabled = true;
    }
}
