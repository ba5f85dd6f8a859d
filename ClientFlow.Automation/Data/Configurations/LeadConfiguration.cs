using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClientFlow.Automation.Data.Configurations;

internal sealed class LeadConfiguration : IEntityTypeConfiguration<Lead>
{
    public void Configure(EntityTypeBuilder<Lead> builder)
    {
        builder.HasOne<Tenant>().WithMany().HasForeignKey(l => l.TenantId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(l => new { l.TenantId, l.Email }).IsUnique();
        builder.HasIndex(l => new { l.TenantId, l.CreatedAt });

        // The dashboard's "nurtured" figure counts a range of this index instead of reading every lead.
        builder.HasIndex(l => new { l.TenantId, l.Status });

        // Systeme.io webhooks name a contact by email, or by its id, before the tenant is known (one Systeme.io account
        // for every IB): without these, each event scanned the whole Leads table.
        builder.HasIndex(l => l.Email);
        builder.HasIndex(l => l.SystemeContactId);
        builder.Property(l => l.Email).HasMaxLength(320);
        builder.Property(l => l.Name).HasMaxLength(200);
        builder.Property(l => l.Phone).HasMaxLength(50);
        builder.Property(l => l.IbType).HasMaxLength(64);
        builder.Property(l => l.MonthlyLeads).HasMaxLength(16);
        builder.Property(l => l.BrokerNetwork).HasMaxLength(200);
        builder.Property(l => l.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(l => l.SyncState).HasConversion<string>().HasMaxLength(20);
        builder.Property(l => l.Source).HasConversion<string>().HasMaxLength(20);
        builder.Property(l => l.SyncError).HasMaxLength(2000);
        builder.Property(l => l.Ref).HasMaxLength(LeadRefs.Length);
        builder.HasIndex(l => l.Ref).IsUnique();

        // The dashboard's CONVERT reads the funded leads along this index instead of every lead.
        builder.HasIndex(l => new { l.TenantId, l.FundedAt });

        // The conversion report reads the leads a broker reported (registered and later) along this one.
        builder.HasIndex(l => new { l.TenantId, l.RegisteredAt });
        builder.Ignore(l => l.Stage);
        builder.Property(l => l.FtdCurrency).HasMaxLength(10);
        builder.Property(l => l.FtdAmount).HasPrecision(18, 2);
        builder.Property(l => l.ConsentIp).HasMaxLength(45);
        builder.Property(l => l.ConsentUserAgent).HasMaxLength(CaptureOrigin.MaxUserAgentLength);
        builder.Property(l => l.ConsentText).HasMaxLength(LeadInputRules.MaxConsentLength);
        builder.HasMany(l => l.Tags).WithOne().HasForeignKey(t => t.LeadId).OnDelete(DeleteBehavior.Cascade);
    }
}
