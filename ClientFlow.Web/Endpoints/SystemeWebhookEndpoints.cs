using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClientFlow.Automation.Systeme;
using ClientFlow.Automation.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ClientFlow.Web.Endpoints;

/// <summary>
/// Inbound Systeme.io events. <c>POST /webhooks/systeme</c>: the signed webhook service (one for the account).
/// <c>POST /webhooks/systeme/t/{token}</c>: one URL per IB for Systeme.io workflow "send webhook" actions
/// (opens and clicks). Every accepted event is stored in the inbox and answered 202; a job processes it.
/// </summary>
public static partial class SystemeWebhookEndpoints
{
    public static readonly string[] EngagementEvents = ["opened", "clicked"];

    public static IEndpointRouteBuilder MapSystemeWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        var webhooks = app.MapGroup("/webhooks/systeme").AllowAnonymous().DisableAntiforgery().WithTags("Webhooks");
        webhooks.MapPost("/", ReceiveServiceEventAsync).WithName("SystemeWebhook").WithSummary("Systeme.io webhook service (signed)");
        webhooks.MapPost("/t/{token}", ReceiveWorkflowEventAsync).WithName("SystemeWorkflowWebhook").WithSummary("Systeme.io workflow action for one IB");
        return app;
    }

    public static async Task<Results<Accepted, ProblemHttpResult, UnauthorizedHttpResult>> ReceiveServiceEventAsync(
        HttpContext http, Inbox inbox, IOptions<SystemeOptions> systeme, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(SystemeWebhookEndpoints));
        var body = await RequestBody.ReadLimitedAsync(http.Request, InboundEvent.MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"A webhook is at most {InboundEvent.MaxBodyBytes / 1024} KiB.");
        }

        if (!WebhookSignature.IsValid(systeme.Value.WebhookSecret, body, http.Request.Headers["X-Webhook-Signature"]))
        {
            // Nothing is stored: a log line is the only trace.
            LogBadSignature(logger, string.IsNullOrEmpty(systeme.Value.WebhookSecret) ? "Systeme:WebhookSecret is not set" : "signature mismatch or missing");
            return TypedResults.Unauthorized();
        }

        var eventType = http.Request.Headers["X-Webhook-Event"].ToString();
        var messageId = http.Request.Headers["X-Webhook-Message-Id"].ToString();
        var inbound = new InboundEvent
        {
            Source = InboundSource.SystemeService,
            MessageId = string.IsNullOrWhiteSpace(messageId) ? "sha256:" + Convert.ToHexStringLower(SHA256.HashData(body)) : messageId.Trim(),
            EventType = string.IsNullOrWhiteSpace(eventType) ? "UNKNOWN" : eventType.Trim(),
            Body = Encoding.UTF8.GetString(body),
        };
        return await StoreAsync(inbox, inbound, cancellationToken);
    }

    public static async Task<Results<Accepted, ProblemHttpResult, UnauthorizedHttpResult>> ReceiveWorkflowEventAsync(
        string token, string? @event, string? template, HttpContext http, Inbox inbox, WebhookTokens tokens, CancellationToken cancellationToken)
    {
        var tenantId = await tokens.FindTenantAsync(token, cancellationToken);
        if (tenantId is null)
        {
            return TypedResults.Unauthorized();
        }

        if (@event is null || !EngagementEvents.Contains(@event))
        {
            return Problem(StatusCodes.Status400BadRequest, "Unknown event", "Add ?event=opened or ?event=clicked to the webhook URL (and &template=<template name> to name the email).");
        }

        var body = await RequestBody.ReadLimitedAsync(http.Request, InboundEvent.MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"A webhook is at most {InboundEvent.MaxBodyBytes / 1024} KiB.");
        }

        var messageId = http.Request.Headers["X-Webhook-Message-Id"].ToString();
        var inbound = new InboundEvent
        {
            Source = InboundSource.SystemeWorkflow,
            TenantId = tenantId,
            // Workflow actions carry no delivery id: the same body for the same event and template is the same delivery.
            MessageId = string.IsNullOrWhiteSpace(messageId)
                ? "sha256:" + Convert.ToHexStringLower(SHA256.HashData([.. body, .. Encoding.UTF8.GetBytes($"|{tenantId}|{@event}|{template}")]))
                : messageId.Trim(),
            EventType = @event,
            Template = string.IsNullOrWhiteSpace(template) ? null : template.Trim()[..Math.Min(template.Trim().Length, 100)],
            Body = Encoding.UTF8.GetString(body),
        };
        return await StoreAsync(inbox, inbound, cancellationToken);
    }

    /// <summary>Malformed JSON is stored as rejected (with the reason) and answered 400; a duplicate is answered 202 like the first.</summary>
    private static async Task<Results<Accepted, ProblemHttpResult, UnauthorizedHttpResult>> StoreAsync(Inbox inbox, InboundEvent inbound, CancellationToken cancellationToken)
    {
        string? malformed = null;
        try
        {
            using var _ = JsonDocument.Parse(inbound.Body);
        }
        catch (JsonException ex)
        {
            malformed = $"Malformed JSON: {ex.Message}";
            inbound.Status = InboundStatus.Rejected;
            inbound.Outcome = malformed.Length > 1000 ? malformed[..1000] : malformed;
        }

        await inbox.StoreAsync(inbound, cancellationToken);
        return malformed is null
            ? TypedResults.Accepted((string?)null)
            : Problem(StatusCodes.Status400BadRequest, "Malformed JSON", malformed);
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a Systeme.io webhook: {Reason}")]
    private static partial void LogBadSignature(ILogger logger, string reason);
}
