using ClientFlow.Automation.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClientFlow.Automation.Data.Configurations;

internal sealed class WorkflowVersionConfiguration : IEntityTypeConfiguration<WorkflowVersion>
{
    public void Configure(EntityTypeBuilder<WorkflowVersion> builder)
    {
        builder.HasOne<Workflow>().WithMany().HasForeignKey(v => v.WorkflowId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(v => new { v.TenantId, v.WorkflowId, v.Number }).IsUnique();
        builder.HasIndex(v => new { v.TenantId, v.TriggerKind, v.TriggerTag });
        builder.Property(v => v.TriggerKind).HasConversion<string>().HasMaxLength(20);
        builder.Property(v => v.TriggerTag).HasMaxLength(64);
        builder.Property(v => v.DefinitionJson).HasMaxLength(200_000);
        builder.Ignore(v => v.Definition);
    }
}
