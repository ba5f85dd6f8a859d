using System.Text.Json;
using System.Text.Json.Serialization;

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

/// <summary>What enrols a lead. <see cref="TagSlug"/> is the bare slug for <see cref="TriggerKind.TagAdded"/>.</summary>
public sealed record WorkflowTrigger(TriggerKind Kind, string? TagSlug);

public enum TriggerKind
{
    /// <summary>A tag (the IB's own prefix) is added to a lead.</summary>
    TagAdded,

    /// <summary>A new lead is captured on any path.</summary>
    LeadCaptured,

    /// <summary>Only enrolled by hand from /Leads (one or many).</summary>
    Manual,
}
