using ClientFlow.Automation.Systeme;
using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClientFlow.Automation.Data.Configurations;

internal sealed class SystemeReconcileConfiguration : IEntityTypeConfiguration<SystemeReconcile>
{
    public void Configure(EntityTypeBuilder<SystemeReconcile> builder)
    {
        builder.HasKey(r => r.TenantId);
        builder.HasOne<Tenant>().WithOne().HasForeignKey<SystemeReconcile>(r => r.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(r => r.TagsFound).HasMaxLength(4000);
        builder.Property(r => r.LastReport).HasMaxLength(1000);
        builder.Property(r => r.LastError).HasMaxLength(2000);
    }
}
