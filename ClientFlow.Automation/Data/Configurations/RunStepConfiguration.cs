using ClientFlow.Automation.Engine;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClientFlow.Automation.Data.Configurations;

internal sealed class RunStepConfiguration : IEntityTypeConfiguration<RunStep>
{
    public void Configure(EntityTypeBuilder<RunStep> builder)
    {
        builder.HasOne<WorkflowRun>().WithMany().HasForeignKey(s => s.RunId).OnDelete(DeleteBehavior.Cascade);
        // The idempotency key of the engine: a step of a run commits once.
        builder.HasIndex(s => new { s.TenantId, s.RunId, s.StepIndex }).IsUnique();
        builder.Property(s => s.Label).HasMaxLength(300);
        builder.Property(s => s.Outcome).HasMaxLength(2000);
    }
}
