using ClientFlow.Automation.Leads.Import;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClientFlow.Automation.Data.Configurations;

internal sealed class LeadImportConfiguration : IEntityTypeConfiguration<LeadImport>
{
    public void Configure(EntityTypeBuilder<LeadImport> builder)
    {
        builder.Property(i => i.FileName).HasMaxLength(260);
        builder.Property(i => i.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(i => i.Error).HasMaxLength(1000);
        builder.Property(i => i.ConsentBasis).HasMaxLength(LeadImports.MaxConsentBasisLength);
        builder.Ignore(i => i.PercentDone);
        builder.HasIndex(i => new { i.TenantId, i.CreatedAt });
    }
}
