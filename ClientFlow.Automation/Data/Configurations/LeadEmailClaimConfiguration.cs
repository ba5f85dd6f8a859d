using ClientFlow.Automation.Leads;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClientFlow.Automation.Data.Configurations;

internal sealed class LeadEmailClaimConfiguration : IEntityTypeConfiguration<LeadEmailClaim>
{
    public void Configure(EntityTypeBuilder<LeadEmailClaim> builder)
    {
        builder.HasKey(c => c.Email);
        builder.Property(c => c.Email).HasMaxLength(320);
        builder.HasIndex(c => c.TenantId);
    }
}
