using ClientFlow.Automation.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClientFlow.Automation.Data.Configurations;

internal sealed class WorkflowConfiguration : IEntityTypeConfiguration<Workflow>
{
    public void Configure(EntityTypeBuilder<Workflow> builder)
    {
        builder.HasIndex(w => new { w.TenantId, w.Name });
        builder.Property(w => w.Name).HasMaxLength(Workflow.MaxNameLength);
        builder.Property(w => w.DraftJson).HasMaxLength(200_000);
        builder.Ignore(w => w.Draft);
    }
}
