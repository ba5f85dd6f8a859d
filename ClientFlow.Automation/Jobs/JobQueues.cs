namespace ClientFlow.Automation.Jobs;

/// <summary>Hangfire queues. Alphabetical order is priority: PostgreSQL storage fetches queues in that order.</summary>
public static class JobQueues
{
    public const string Engine = "a_engine";
    public const string Outbox = "b_outbox";
    public const string Import = "c_import";
    public const string Default = "default";

    public static IReadOnlyList<string> All { get; } = [Engine, Outbox, Import, Default];
}
