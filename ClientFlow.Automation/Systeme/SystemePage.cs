using System.Text.Json.Serialization;

namespace ClientFlow.Automation.Systeme;

/// <summary>Every Systeme.io collection: a page of items and whether more follow (the cursor is the last item's id).</summary>
internal sealed record SystemePage<T>(
    [property: JsonPropertyName("items")] IReadOnlyList<T> Items,
    [property: JsonPropertyName("hasMore")] bool HasMore);
