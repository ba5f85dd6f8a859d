using System.Text.Json.Nodes;

namespace ClientFlow.Automation.Webhooks;

/// <summary>
/// Reads the shapes Systeme.io sends (reference §7): the webhook service's event objects, with the
/// contact nested once or twice, sales bare or under <c>sale</c>; and the workflow action's
/// <c>{type, data}</c> envelope, bare or in a one-element array. Any other shape reads as absent (null), never as an
/// exception: a body of the wrong shape is refused with its reason, not retried as if it might parse next time.
/// </summary>
public static class SystemePayload
{
    public sealed record Contact(long? Id, string? Email);

    public static Contact? ContactOf(JsonNode? root)
    {
        root = Unwrapped(root);
        var contact = Get(Get(root, "data"), "contact") ?? Get(root, "contact");
        if (Get(contact, "contact") is JsonObject nested)
        {
            contact = nested;
        }

        return contact is JsonObject found ? new Contact(Long(found["id"]), Text(found["email"])?.Trim().ToLowerInvariant()) : null;
    }

    public static string? TagName(JsonNode? root) => Text(Get(Get(Unwrapped(root), "tag"), "name"));

    /// <summary>The sale's customer: email, contact id and the custom fields (a slug to value map).</summary>
    public static (Contact Customer, JsonObject? Fields)? CustomerOf(JsonNode? root)
    {
        var sale = Get(root, "sale") ?? root;
        if (Get(sale, "customer") is not JsonObject customer)
        {
            return null;
        }

        return (new Contact(Long(customer["contactId"]) ?? Long(customer["id"]), Text(customer["email"])?.Trim().ToLowerInvariant()), customer["fields"] as JsonObject);
    }

    /// <summary>A property of an object; null for anything that is not an object (the indexer would throw).</summary>
    public static JsonNode? Get(JsonNode? node, string name) => node is JsonObject item ? item[name] : null;

    /// <summary>The workflow action's envelope may come as a one-element array.</summary>
    private static JsonNode? Unwrapped(JsonNode? root) => root is JsonArray { Count: > 0 } array ? array[0] : root;

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static long? Long(JsonNode? node) => node is JsonValue value
        ? value.TryGetValue<long>(out var number) ? number : value.TryGetValue<string>(out var text) && long.TryParse(text, out var parsed) ? parsed : null
        : null;
}
