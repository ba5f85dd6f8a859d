using ClientFlow.Automation.Leads;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClientFlow.Automation.Data.Configurations;

internal sealed class LeadTagConfiguration : IEntityTypeConfiguration<LeadTag>
{
    public void Configure(EntityTypeBuilder<LeadTag> builder)
    {
        builder.Property(t => t.Slug).HasMaxLength(100);
        builder.HasIndex(t => new { t.TenantId, t.LeadId, t.Slug }).IsUnique();
        builder.HasIndex(t => new { t.TenantId, t.Slug });
    }
}
