using ClientFlow.Automation.Leads;

namespace ClientFlow.Automation.Workflows;

/// <summary>The four stages of the dashboard, as the visual guide draws them: capture, nurture, convert, retain.</summary>
public enum FunnelStage
{
    Capture = 1,
    Nurture = 2,
    Convert = 3,
    Retain = 4,
}

/// <summary>A stage's state, with the same meaning on every IB's dashboard.</summary>
public enum StageState
{
    /// <summary>Capture: leads are accepted. Other stages: at least one published workflow of the stage is ON.</summary>
    Running,

    /// <summary>Capture: the IB has reached its lead limit, so captures are refused. Other stages: the stage has workflows, none published and ON.</summary>
    Paused,

    /// <summary>No workflow of the IB belongs to the stage.</summary>
    NotConfigured,
}

/// <summary>
/// Which stage a workflow serves, from its trigger, and what each stage's state is. The tags that mark the later stages
/// are the seed notes' own: a conversion is the tag <c>converted</c>; retention starts when a lead gets
/// <c>inactive</c> and has worked when it gets <c>re-engaged</c> (Sarah's Re-engagement).
/// </summary>
public static class Funnel
{
    public const string InactiveTag = "inactive";

    public const string ReEngagedTag = "re-engaged";

    /// <summary>
    /// Convert: workflows triggered by <c>converted</c> or a broker's registration (a registered lead is nudged to fund);
    /// Retain: by <c>inactive</c> or a broker's FTD or qualified (a funded trader is kept); every other trigger nurtures.
    /// </summary>
    public static FunnelStage StageOf(WorkflowTrigger trigger) => trigger switch
    {
        { Kind: TriggerKind.TagAdded, TagSlug: CaptureTags.Converted } => FunnelStage.Convert,
        { Kind: TriggerKind.BrokerEvent, BrokerEvent: Conversions.BrokerEventKind.Registration } => FunnelStage.Convert,
        { Kind: TriggerKind.BrokerEvent } => FunnelStage.Retain,
        { Kind: TriggerKind.TagAdded, TagSlug: InactiveTag } => FunnelStage.Retain,
        _ => FunnelStage.Nurture,
    };

    /// <summary>The state of a workflow stage (not Capture) from the IB's workflows of that stage.</summary>
    public static StageState StateOf(IReadOnlyCollection<(bool IsOn, bool IsPublished)> workflows) =>
        workflows.Count == 0 ? StageState.NotConfigured
        : workflows.Any(w => w.IsOn && w.IsPublished) ? StageState.Running
        : StageState.Paused;

    public static string Describe(StageState state) => state switch
    {
        StageState.Running => "running",
        StageState.Paused => "paused",
        _ => "not configured",
    };
}
