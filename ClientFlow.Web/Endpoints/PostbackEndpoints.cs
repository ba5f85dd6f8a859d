using System.Text;
using System.Text.Json;
using ClientFlow.Automation.Conversions;
using ClientFlow.Automation.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;

namespace ClientFlow.Web.Endpoints;

/// <summary>
/// <c>GET|POST /postbacks/{token}</c>: a broker's affiliate platform reports an event for one of an IB's broker
/// connections. The fields (query, form or a flat JSON object) are stored first through the inbox and answered 200 at
/// once; a job settles them on the lead (<see cref="Postbacks"/>). An unknown token is 404 and stores nothing; a caller
/// outside the connection's allowlist is 403. Plain http is accepted (some platforms have no https).
/// </summary>
public static class PostbackEndpoints
{
    public const int MaxBodyBytes = 16 * 1024;

    public static IEndpointRouteBuilder MapPostbackEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/postbacks/{token}", [HttpMethods.Get, HttpMethods.Post], ReceiveAsync).AllowAnonymous().DisableAntiforgery()
            .WithTags("Postbacks").WithName("BrokerPostback").WithSummary("A broker's conversion event for one broker connection");
        return app;
    }

    public sealed record Stored([property: System.Text.Json.Serialization.JsonPropertyName("stored")] bool New);

    public static async Task<Results<Ok<Stored>, ProblemHttpResult, NotFound>> ReceiveAsync(
        string token, HttpContext http, Postbacks postbacks, Inbox inbox, CancellationToken cancellationToken)
    {
        var connection = await postbacks.FindConnectionAsync(token, cancellationToken);
        if (connection is null)
        {
            return TypedResults.NotFound();
        }

        if (!Postbacks.IsAllowed(connection, http.Connection.RemoteIpAddress))
        {
            return Problem(StatusCodes.Status403Forbidden, "Not an allowed address", "This postback URL accepts calls only from the addresses its IB listed.");
        }

        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in http.Request.Query)
        {
            values.TryAdd(key, value.ToString());
        }

        if (HttpMethods.IsPost(http.Request.Method))
        {
            var body = await RequestBody.ReadLimitedAsync(http.Request, MaxBodyBytes, cancellationToken);
            if (body is null)
            {
                return Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"A postback is at most {MaxBodyBytes / 1024} KiB.");
            }

            if (ReadBody(http.Request.ContentType, body) is not { } posted)
            {
                return Problem(StatusCodes.Status400BadRequest, "Unreadable body", "Send the fields in the query, as a form, or as a flat JSON object.");
            }

            foreach (var (key, value) in posted)
            {
                values.TryAdd(key, value);
            }
        }

        if (values.Count > Postbacks.MaxFields || values.Any(v => v.Key.Length > 100 || v.Value.Length > Postbacks.MaxValueLength))
        {
            return Problem(StatusCodes.Status400BadRequest, "Too many or too long fields", $"At most {Postbacks.MaxFields} fields of {Postbacks.MaxValueLength} characters.");
        }

        var stored = await inbox.StoreAsync(Postbacks.ToInbound(connection, values), cancellationToken);
        return TypedResults.Ok(new Stored(stored));
    }

    private static Dictionary<string, string>? ReadBody(string? contentType, byte[] body)
    {
        if (body.Length == 0)
        {
            return [];
        }

        var text = Encoding.UTF8.GetString(body);
        if (contentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true)
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    return null;
                }

                var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (property.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                    {
                        return null;
                    }

                    fields.TryAdd(property.Name, property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText());
                }

                return fields;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        return QueryHelpers.ParseQuery(text).ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.OrdinalIgnoreCase);
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
