using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClientFlow.Automation.Data.Configurations;

internal sealed class TenantConfiguration : IEntityTypeConfiguration<Tenant>
{
    public void Configure(EntityTypeBuilder<Tenant> builder)
    {
        builder.Property(t => t.Name).HasMaxLength(200);
        builder.Property(t => t.TagPrefix).HasMaxLength(TagPrefix.Length);
        builder.HasIndex(t => t.TagPrefix).IsUnique();
        builder.Property(t => t.ApiKeyHash).HasMaxLength(64);
        builder.Property(t => t.SenderName).HasMaxLength(200);
        builder.Property(t => t.ReplyTo).HasMaxLength(320);
        builder.Property(t => t.PostalAddress).HasMaxLength(500);
        builder.Property(t => t.RiskWarningText).HasMaxLength(RiskWarnings.MaxCustomLength);
        builder.Property(t => t.NotificationSecret).HasMaxLength(64);
        builder.Property(t => t.WebhookTokenHash).HasMaxLength(64);
        builder.HasIndex(t => t.WebhookTokenHash).IsUnique();
        builder.HasIndex(t => t.ApiKeyHash).IsUnique();
        builder.Property(t => t.FormKey).HasMaxLength(FormKeys.Length);
        builder.HasIndex(t => t.FormKey).IsUnique();
    }
}
