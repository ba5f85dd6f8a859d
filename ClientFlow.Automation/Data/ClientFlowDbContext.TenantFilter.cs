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
        EnforceTenantOnWrites();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        EnforceTenantOnWrites();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
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
        foreach (var entry in ChangeTracker.Entries<ITenantOwned>())
        {
            if (entry.State is EntityState.Unchanged or EntityState.Detached)
            {
                continue;
            }

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
                    entry.Entity.TenantId = current;
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
}
