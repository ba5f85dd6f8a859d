using System.Text.Json.Serialization;

namespace ClientFlow.Automation.Systeme;

public sealed record SystemeTag(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("name")] string Name);
