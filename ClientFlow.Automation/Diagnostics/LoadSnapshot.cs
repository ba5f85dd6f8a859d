namespace ClientFlow.Automation.Diagnostics;

/// <summary>
/// The database-wide load at one instant, read once per scrape for every gauge of <see cref="ClientFlowMetrics"/>.
/// Ages are in seconds and 0 when nothing waits.
/// </summary>
/// <param name="RunsDue">Waiting runs past their time and running runs past their lease.</param>
/// <param name="RunsLate">Of those, the ones the recovery sweep would take: waiting past <c>Engine:SweepGrace</c>, or a lost job's lease.</param>
/// <param name="EngineLagSeconds">How long the oldest due run has been due.</param>
/// <param name="OutboxDepth">Pending outbox operations that are due (offline, Systeme.io rows are parked, not due).</param>
/// <param name="OutboxOldestAgeSeconds">How long the oldest of those has been due.</param>
/// <param name="OutboxDeadLettered">Operations given up on, waiting for an admin (/Admin/DeadLetters).</param>
/// <param name="InboxDepth">Inbound events not processed yet (pending or claimed by a worker).</param>
/// <param name="InboxOldestAgeSeconds">How long ago the oldest of those arrived.</param>
/// <param name="SystemeBudgetRemaining">Requests the shared Systeme.io budget can grant in the coming second.</param>
/// <param name="SystemePauseSeconds">How long every node still waits after a 429 or an exhausted quota.</param>
internal sealed record LoadSnapshot(
    int RunsDue,
    int RunsLate,
    double EngineLagSeconds,
    int OutboxDepth,
    double OutboxOldestAgeSeconds,
    int OutboxDeadLettered,
    int InboxDepth,
    double InboxOldestAgeSeconds,
    int SystemeBudgetRemaining,
    double SystemePauseSeconds);
