using ClientFlow.Automation.Templates;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClientFlow.Automation.Data.Configurations;

internal sealed class EmailTemplateConfiguration : IEntityTypeConfiguration<EmailTemplate>
{
    public void Configure(EntityTypeBuilder<EmailTemplate> builder)
    {
        builder.HasIndex(t => new { t.TenantId, t.Name }).IsUnique();
        builder.Property(t => t.Name).HasMaxLength(EmailTemplate.MaxNameLength);
        builder.Property(t => t.Subject).HasMaxLength(EmailTemplate.MaxSubjectLength);
        builder.Property(t => t.HtmlBody).HasMaxLength(EmailTemplate.MaxBodyLength);
        builder.Property(t => t.TextBody).HasMaxLength(EmailTemplate.MaxBodyLength);
        builder.Ignore(t => t.Slug);
    }
}
