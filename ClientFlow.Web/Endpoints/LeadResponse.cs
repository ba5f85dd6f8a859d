using System.Text.Json.Serialization;

namespace ClientFlow.Web.Endpoints;

/// <summary>A captured lead as the API returns it.</summary>
public sealed record LeadResponse(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("ref")] string Ref,
    [property: JsonPropertyName("email")] string Email,
    [property: JsonPropertyName("created")] bool Created,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("sync_state")] string SyncState,
    [property: JsonPropertyName("tags")] IReadOnlyList<string> Tags,
    [property: JsonPropertyName("systeme_tags")] IReadOnlyList<string> SystemeTags);
