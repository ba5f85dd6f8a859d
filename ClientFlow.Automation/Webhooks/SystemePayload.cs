using System.Text.Json.Nodes;

namespace ClientFlow.Automation.Webhooks;

/// <summary>
/// Reads the shapes Systeme.io sends (reference §7): the webhook service's event objects, with the
/// contact nested once or twice, sales bare or under <c>sale</c>; and the workflow action's
/// <c>{type, data}</c> envelope, bare or in a one-element array.
/// </summary>
public static class SystemePayload
{
    public sealed record Contact(long? Id, string? Email);

    public static Contact? ContactOf(JsonNode? root)
    {
        if (root is JsonArray { Count: > 0 } array)
        {
            root = array[0];
        }

        var contact = root?["data"]?["contact"] ?? root?["contact"];
        if (contact?["contact"] is JsonObject nested)
        {
            contact = nested;
        }

        return contact is JsonObject found ? new Contact(Long(found["id"]), Text(found["email"])?.Trim().ToLowerInvariant()) : null;
    }

    public static string? TagName(JsonNode? root) => Text(root?["tag"]?["name"]);

    /// <summary>The sale's customer: email, contact id and the custom fields (a slug to value map).</summary>
    public static (Contact Customer, JsonObject? Fields)? CustomerOf(JsonNode? root)
    {
        var sale = root?["sale"] ?? root;
        if (sale?["customer"] is not JsonObject customer)
        {
            return null;
        }

        return (new Contact(Long(customer["contactId"]) ?? Long(customer["id"]), Text(customer["email"])?.Trim().ToLowerInvariant()), customer["fields"] as JsonObject);
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static long? Long(JsonNode? node) => node is JsonValue value
        ? value.TryGetValue<long>(out var number) ? number : value.TryGetValue<string>(out var text) && long.TryParse(text, out var parsed) ? parsed : null
        : null;
}
