using ClientFlow.Automation.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClientFlow.Automation.Data.Configurations;

internal sealed class EmailMessageConfiguration : IEntityTypeConfiguration<EmailMessage>
{
    public void Configure(EntityTypeBuilder<EmailMessage> builder)
    {
        builder.HasIndex(m => m.Token).IsUnique();
        builder.HasIndex(m => new { m.TenantId, m.RunId, m.StepIndex }).IsUnique().HasFilter("\"RunId\" IS NOT NULL");
        builder.HasIndex(m => new { m.TenantId, m.CreatedAt });
        // A lead's emails newest first (its page) come from one range in order; with (tenant, lead) alone SQLite read
        // the tenant's whole (tenant, created) index for the order instead. The dashboard counts sent workflow
        // emails from a range of the second.
        builder.HasIndex(m => new { m.TenantId, m.LeadId, m.CreatedAt });
        builder.HasIndex(m => new { m.TenantId, m.Kind, m.Status });
        builder.Property(m => m.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(m => m.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(m => m.Channel).HasConversion<string>().HasMaxLength(20);
        builder.Property(m => m.Token).HasMaxLength(64);
        builder.Property(m => m.To).HasMaxLength(320);
        builder.Property(m => m.Subject).HasMaxLength(1000);
        builder.Property(m => m.TemplateName).HasMaxLength(100);
        builder.Property(m => m.FromName).HasMaxLength(200);
        builder.Property(m => m.ReplyTo).HasMaxLength(320);
        builder.Property(m => m.LastError).HasMaxLength(2000);
    }
}
