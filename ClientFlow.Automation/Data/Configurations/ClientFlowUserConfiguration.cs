using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClientFlow.Automation.Data.Configurations;

internal sealed class ClientFlowUserConfiguration : IEntityTypeConfiguration<ClientFlowUser>
{
    public void Configure(EntityTypeBuilder<ClientFlowUser> builder)
    {
        builder.HasOne(u => u.Tenant).WithMany().HasForeignKey(u => u.TenantId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(u => u.TenantId);
    }
}
