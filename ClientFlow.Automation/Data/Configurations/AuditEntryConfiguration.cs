using ClientFlow.Automation.Auditing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClientFlow.Automation.Data.Configurations;

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.Property(a => a.Action).HasMaxLength(100);
        builder.Property(a => a.ActorUserId).HasMaxLength(450);
        builder.Property(a => a.Detail).HasMaxLength(2000);
        builder.HasIndex(a => a.At);
    }
}
