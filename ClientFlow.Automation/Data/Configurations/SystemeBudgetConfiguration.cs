using ClientFlow.Automation.Systeme;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClientFlow.Automation.Data.Configurations;

internal sealed class SystemeBudgetConfiguration : IEntityTypeConfiguration<SystemeBudget>
{
    public void Configure(EntityTypeBuilder<SystemeBudget> builder)
    {
        builder.Property(b => b.Id).ValueGeneratedNever();
        // The one row every node draws from exists from the first migration on.
        builder.HasData(new SystemeBudget { Id = SystemeBudget.AccountId, NextGrantAt = DateTimeOffset.UnixEpoch, PausedUntil = DateTimeOffset.UnixEpoch });
    }
}
