using System.Text.Json.Serialization;

namespace ClientFlow.Automation.Systeme;

public sealed record SystemeContactField(
    [property: JsonPropertyName("slug")] string Slug,
    [property: JsonPropertyName("value")] string? Value);
