using ClientFlow.Automation.Systeme;
using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClientFlow.Automation.Data.Configurations;

internal sealed class SystemeConnectionTestConfiguration : IEntityTypeConfiguration<SystemeConnectionTest>
{
    public void Configure(EntityTypeBuilder<SystemeConnectionTest> builder)
    {
        builder.HasKey(t => t.TenantId);
        builder.HasOne<Tenant>().WithOne().HasForeignKey<SystemeConnectionTest>(t => t.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(t => t.Result).HasMaxLength(2000);
    }
}
