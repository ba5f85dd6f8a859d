using System.Text.Json;
using System.Text.Json.Nodes;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ClientFlow.Web.Endpoints;

/// <summary>
/// <c>POST /webhooks/email-events</c>: the SMTP provider's bounce and complaint events, signed with
/// <c>Email:EventsSecret</c> like the Systeme.io webhooks (hex HMAC-SHA256 of the raw body in
/// <c>X-Webhook-Signature</c>). The body is one event or an array of them, each
/// <c>{"type": "bounce" | "complaint", "email": "…", "bounce_type": "hard" | "soft"}</c>; a hard bounce (a bounce without
/// a type is taken as hard) and a complaint put the address on the platform's suppression list, a soft bounce is
/// ignored. Answers 202 with what it did, 401 for a bad signature (nothing stored), 400 problem+json for a body it cannot
/// read.
/// </summary>
public static partial class EmailEventEndpoints
{
    public const int MaxBodyBytes = 256 * 1024;

    public static IEndpointRouteBuilder MapEmailEventEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/webhooks/email-events", ReceiveAsync).AllowAnonymous().DisableAntiforgery().WithTags("Webhooks")
            .WithName("EmailEvents").WithSummary("Bounce and complaint events from the SMTP provider (signed)");
        return app;
    }

    public sealed record Outcome(int Suppressed, int Ignored);

    public static async Task<Results<Accepted<Outcome>, ProblemHttpResult, UnauthorizedHttpResult>> ReceiveAsync(
        HttpContext http, Suppressions suppressions, IOptions<EmailOptions> options, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadLimitedAsync(http.Request, MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large", detail: $"At most {MaxBodyBytes / 1024} KiB of events per request.");
        }

        if (!WebhookSignature.IsValid(options.Value.EventsSecret, body, http.Request.Headers["X-Webhook-Signature"]))
        {
            LogBadSignature(loggers.CreateLogger(typeof(EmailEventEndpoints)), string.IsNullOrEmpty(options.Value.EventsSecret) ? "Email:EventsSecret is not set" : "signature mismatch or missing");
            return TypedResults.Unauthorized();
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (JsonException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed JSON", detail: ex.Message);
        }

        var events = root switch
        {
            JsonArray array => array.ToList(),
            JsonObject single => [single],
            _ => null,
        };
        if (events is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not an event", detail: "Send an event object or an array of them.");
        }

        var (suppressed, ignored) = (0, 0);
        foreach (var item in events)
        {
            var type = Text(item, "type");
            var email = Text(item, "email");
            var bounceType = Text(item, "bounce_type");
            var hard = bounceType is null || Is(bounceType, "hard") || Is(bounceType, "permanent");
            SuppressionReason? reason = Is(type, "complaint") ? SuppressionReason.Complaint : Is(type, "bounce") && hard ? SuppressionReason.HardBounce : null;
            if (reason is null || email is null || !Automation.Leads.LeadInputRules.IsEmail(email))
            {
                ignored++;
                continue;
            }

            await suppressions.AddAsync(email, reason.Value, $"{type} reported by the email provider", cancellationToken);
            suppressed++;
        }

        return TypedResults.Accepted((string?)null, new Outcome(suppressed, ignored));
    }

    private static bool Is(string? value, string expected) => string.Equals(value, expected, StringComparison.OrdinalIgnoreCase);

    private static string? Text(JsonNode? item, string name) =>
        SystemePayload.Get(item, name) is JsonValue value && value.TryGetValue<string>(out var text) ? text.Trim() : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Email event refused: {Reason}")]
    private static partial void LogBadSignature(ILogger logger, string reason);
}
