using ClientFlow.Automation.Counters;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClientFlow.Automation.Data.Configurations;

internal sealed class TenantCounterConfiguration : IEntityTypeConfiguration<TenantCounter>
{
    public void Configure(EntityTypeBuilder<TenantCounter> builder)
    {
        // No foreign key to Tenants: the triggers write these rows, and a key would only add a check to every write.
        builder.HasKey(c => new { c.TenantId, c.Name, c.Shard });
        builder.Property(c => c.Name).HasMaxLength(50);
    }
}
