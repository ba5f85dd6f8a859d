using ClientFlow.Automation.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClientFlow.Automation.Data.Configurations;

internal sealed class InboundEventConfiguration : IEntityTypeConfiguration<InboundEvent>
{
    public void Configure(EntityTypeBuilder<InboundEvent> builder)
    {
        builder.Property(e => e.Source).HasConversion<string>().HasMaxLength(20);
        builder.Property(e => e.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(e => e.MessageId).HasMaxLength(200);
        builder.Property(e => e.EventType).HasMaxLength(64);
        builder.Property(e => e.Template).HasMaxLength(100);
        builder.Property(e => e.Outcome).HasMaxLength(1000);
        builder.Property(e => e.Body).HasMaxLength(InboundEvent.MaxBodyBytes);
        // Dedupe by constraint: a redelivered message id is not stored twice.
        builder.HasIndex(e => new { e.Source, e.MessageId }).IsUnique();
        builder.HasIndex(e => new { e.Status, e.NextAttemptAt });

        // "Last webhook received for this prefix" on /Settings and the admin's view: the newest of one IB's events.
        builder.HasIndex(e => new { e.TenantId, e.ReceivedAt });
    }
}
