using ClientFlow.Automation.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClientFlow.Automation.Data.Configurations;

internal sealed class SuppressionConfiguration : IEntityTypeConfiguration<Suppression>
{
    public void Configure(EntityTypeBuilder<Suppression> builder)
    {
        builder.HasKey(s => s.AddressHash);
        builder.Property(s => s.AddressHash).HasMaxLength(64);
        builder.Property(s => s.Reason).HasConversion<string>().HasMaxLength(20);
        builder.Property(s => s.Detail).HasMaxLength(Suppressions.MaxDetailLength);
    }
}
