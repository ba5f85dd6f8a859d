using System.Text.Json.Serialization;

namespace ClientFlow.Automation.Systeme;

/// <summary>
/// The payload of an erased lead's Systeme.io clean-up: the IB's prefix and the contact, by id when it was known, else by
/// the address (the lead row is gone, so the payload carries what the clean-up needs; the row is pruned once done).
/// </summary>
public sealed record SystemeErasure(
    [property: JsonPropertyName("prefix")] string Prefix,
    [property: JsonPropertyName("contact_id")] long? ContactId,
    [property: JsonPropertyName("email")] string? Email);
