using System.Text.Json.Serialization;

namespace ClientFlow.Automation.Systeme;

/// <summary>A Systeme.io contact as the API returns it (fields are an array of slug and value).</summary>
public sealed record SystemeContact(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("email")] string Email,
    [property: JsonPropertyName("fields")] IReadOnlyList<SystemeContactField>? Fields,
    [property: JsonPropertyName("tags")] IReadOnlyList<SystemeTag>? Tags)
{
    public string? FieldValue(string slug) => Fields?.FirstOrDefault(f => f.Slug == slug)?.Value;
}
