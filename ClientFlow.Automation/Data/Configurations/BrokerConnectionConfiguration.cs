using ClientFlow.Automation.Conversions;
using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClientFlow.Automation.Data.Configurations;

internal sealed class BrokerConnectionConfiguration : IEntityTypeConfiguration<BrokerConnection>
{
    public void Configure(EntityTypeBuilder<BrokerConnection> builder)
    {
        builder.HasOne<Tenant>().WithMany().HasForeignKey(c => c.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(c => new { c.TenantId, c.Name }).IsUnique();
        builder.Property(c => c.Name).HasMaxLength(BrokerConnection.MaxNameLength);
        builder.Property(c => c.Platform).HasConversion<string>().HasMaxLength(20);
        builder.Property(c => c.ReferralLink).HasMaxLength(BrokerConnection.MaxLinkLength);
        builder.Property(c => c.TokenHash).HasMaxLength(64);
        builder.HasIndex(c => c.TokenHash).IsUnique();
        builder.Property(c => c.AllowedIps).HasMaxLength(BrokerConnection.MaxAllowedIpsLength);
    }
}
