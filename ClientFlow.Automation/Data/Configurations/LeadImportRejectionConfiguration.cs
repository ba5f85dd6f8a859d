using ClientFlow.Automation.Leads.Import;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClientFlow.Automation.Data.Configurations;

internal sealed class LeadImportRejectionConfiguration : IEntityTypeConfiguration<LeadImportRejection>
{
    public void Configure(EntityTypeBuilder<LeadImportRejection> builder)
    {
        builder.Property(r => r.Email).HasMaxLength(320);
        builder.Property(r => r.Reason).HasMaxLength(500);
        builder.HasOne<LeadImport>().WithMany().HasForeignKey(r => r.ImportId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(r => new { r.TenantId, r.ImportId, r.Line });
    }
}
