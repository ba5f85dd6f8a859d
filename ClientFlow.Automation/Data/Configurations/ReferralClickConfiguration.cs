using ClientFlow.Automation.Conversions;
using ClientFlow.Automation.Leads;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClientFlow.Automation.Data.Configurations;

internal sealed class ReferralClickConfiguration : IEntityTypeConfiguration<ReferralClick>
{
    public void Configure(EntityTypeBuilder<ReferralClick> builder)
    {
        builder.HasOne<BrokerConnection>().WithMany().HasForeignKey(c => c.ConnectionId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Lead>().WithMany().HasForeignKey(c => c.LeadId).OnDelete(DeleteBehavior.Cascade);

        // The report counts by connection and by week; the lead page reads a lead's clicks.
        builder.HasIndex(c => new { c.TenantId, c.ConnectionId, c.ClickedAt });
        builder.HasIndex(c => new { c.TenantId, c.LeadId });
    }
}
