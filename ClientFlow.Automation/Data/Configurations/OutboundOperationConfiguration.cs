using ClientFlow.Automation.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClientFlow.Automation.Data.Configurations;

internal sealed class OutboundOperationConfiguration : IEntityTypeConfiguration<OutboundOperation>
{
    public void Configure(EntityTypeBuilder<OutboundOperation> builder)
    {
        builder.Property(o => o.Kind).HasConversion<string>().HasMaxLength(40);
        builder.Property(o => o.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(o => o.LastError).HasMaxLength(1000);
        builder.HasIndex(o => new { o.TenantId, o.LeadId });
        builder.HasIndex(o => new { o.Status, o.NextAttemptAt });
        builder.Property(o => o.Payload).HasMaxLength(8000);
        // One row per kind per workflow step: a step that runs twice cannot queue its work twice.
        builder.HasIndex(o => new { o.TenantId, o.RunId, o.StepIndex, o.Kind }).IsUnique().HasFilter("\"RunId\" IS NOT NULL");
    }
}
