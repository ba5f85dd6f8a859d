using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClientFlow.Automation.Data.Configurations;

internal sealed class ErasedAddressConfiguration : IEntityTypeConfiguration<ErasedAddress>
{
    public void Configure(EntityTypeBuilder<ErasedAddress> builder)
    {
        builder.HasKey(e => new { e.TenantId, e.AddressHash });
        builder.Property(e => e.AddressHash).HasMaxLength(64);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(e => e.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
