namespace ClientFlow.Automation.Retention;

/// <summary>What one pass of <see cref="RetentionPruner"/> removed, per kind.</summary>
public sealed record RetentionResult(int EmailBodies, int RunSteps, int InboxEvents, int OutboxOperations)
{
    public int Total => EmailBodies + RunSteps + InboxEvents + OutboxOperations;
}
