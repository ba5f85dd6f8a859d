using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClientFlow.Automation.Data.Configurations;

internal sealed class WorkflowRunConfiguration : IEntityTypeConfiguration<WorkflowRun>
{
    public void Configure(EntityTypeBuilder<WorkflowRun> builder)
    {
        builder.HasOne<Workflow>().WithMany().HasForeignKey(r => r.WorkflowId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<WorkflowVersion>().WithMany().HasForeignKey(r => r.VersionId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Lead>().WithMany().HasForeignKey(r => r.LeadId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(r => r.EnrolmentKey).HasMaxLength(80);
        builder.Property(r => r.LastError).HasMaxLength(2000);
        builder.Property(r => r.Revision).IsConcurrencyToken();
        builder.HasIndex(r => new { r.TenantId, r.EnrolmentKey }).IsUnique().HasFilter("\"EnrolmentKey\" IS NOT NULL");
        builder.HasIndex(r => new { r.TenantId, r.WorkflowId, r.Status });
        builder.HasIndex(r => new { r.TenantId, r.LeadId });

        // "Leads in workflows" on the dashboard: the distinct leads of active runs, read from this index alone.
        builder.HasIndex(r => new { r.TenantId, r.Status, r.LeadId });
        builder.HasIndex(r => new { r.Status, r.DueAt });

        // A wake's claim: the tenant's waiting runs that are due, earliest first.
        builder.HasIndex(r => new { r.TenantId, r.Status, r.DueAt });
    }
}
