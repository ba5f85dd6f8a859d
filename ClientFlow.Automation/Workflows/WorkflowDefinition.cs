using System.Text.Json;
using System.Text.Json.Serialization;
using ClientFlow.Automation.Conversions;

namespace ClientFlow.Automation.Workflows;

/// <summary>A trigger and a step tree: a draft being edited, or (frozen) a published version.</summary>
public sealed record WorkflowDefinition(WorkflowTrigger Trigger, IReadOnlyList<WorkflowStep> Steps)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static WorkflowDefinition Empty { get; } = new(new WorkflowTrigger(TriggerKind.LeadCaptured, null), []);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static WorkflowDefinition FromJson(string json) =>
        JsonSerializer.Deserialize<WorkflowDefinition>(json, Json) ?? throw new JsonException("Empty workflow definition.");
}

/// <summary>
/// What enrols a lead. <see cref="TagSlug"/> is the bare slug for <see cref="TriggerKind.TagAdded"/>;
/// <see cref="BrokerEvent"/> the stage a broker reports for <see cref="TriggerKind.BrokerEvent"/> (registration, FTD, qualified).
/// </summary>
public sealed record WorkflowTrigger(TriggerKind Kind, string? TagSlug, BrokerEventKind? BrokerEvent = null)
{
    /// <summary>The broker events a workflow can start on: each is the first time a lead reaches that stage.</summary>
    public static IReadOnlyList<BrokerEventKind> BrokerEvents { get; } = [BrokerEventKind.Registration, BrokerEventKind.Ftd, BrokerEventKind.Qualified];

    /// <summary>What the published version keeps to find it by trigger: the tag's slug, or the broker event's name.</summary>
    public string? Key => Kind switch
    {
        TriggerKind.TagAdded => TagSlug,
        TriggerKind.BrokerEvent when BrokerEvent is { } kind => BrokerPresets.EventName(kind),
        _ => null,
    };
}

public enum TriggerKind
{
    /// <summary>A tag (the IB's own prefix) is added to a lead.</summary>
    TagAdded,

    /// <summary>A new lead is captured on any path.</summary>
    LeadCaptured,

    /// <summary>Only enrolled by hand from /Leads (one or many).</summary>
    Manual,

    /// <summary>A broker's postback moves a lead to a stage for the first time: registered, funded (FTD) or qualified.</summary>
    BrokerEvent,
}
