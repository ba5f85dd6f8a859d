using ClientFlow.Automation.Conversions;
using ClientFlow.Automation.Leads;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClientFlow.Automation.Data.Configurations;

internal sealed class BrokerEventConfiguration : IEntityTypeConfiguration<BrokerEvent>
{
    public void Configure(EntityTypeBuilder<BrokerEvent> builder)
    {
        builder.HasOne<BrokerConnection>().WithMany().HasForeignKey(e => e.ConnectionId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Lead>().WithMany().HasForeignKey(e => e.LeadId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(e => e.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(e => e.SubId).HasMaxLength(100);
        builder.Property(e => e.Amount).HasPrecision(18, 2);
        builder.Property(e => e.Currency).HasMaxLength(10);
        builder.Property(e => e.TxId).HasMaxLength(200);
        builder.Property(e => e.Uid).HasMaxLength(200);
        builder.Property(e => e.DedupeKey).HasMaxLength(210);

        // Counted once per connection, event and txid (or uid): the key that makes a repeat a no-op on every node.
        builder.HasIndex(e => new { e.ConnectionId, e.Kind, e.DedupeKey }).IsUnique().HasFilter("\"DedupeKey\" IS NOT NULL");
        builder.HasIndex(e => new { e.TenantId, e.LeadId });
    }
}
