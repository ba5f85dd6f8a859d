using System.Text.Json.Serialization;

namespace ClientFlow.Automation.Systeme;

/// <summary>A Systeme.io contact as the API returns it (fields are an array of slug and value).</summary>
/// <summary>A page of contacts and whether more follow (the next page starts after the last contact's id).</summary>
public sealed record SystemeContactPage(IReadOnlyList<SystemeContact> Items, bool HasMore);

public sealed record SystemeContact(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("email")] string Email,
    [property: JsonPropertyName("fields")] IReadOnlyList<SystemeContactField>? Fields,
    [property: JsonPropertyName("tags")] IReadOnlyList<SystemeTag>? Tags)
{
    public string? FieldValue(string slug) => Fields?.FirstOrDefault(f => f.Slug == slug)?.Value;
}
