using System.Text.Json;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Leads;
using ClientFlow.Web.Authorization;
using ClientFlow.Web.Hosting;
using ClientFlow.Web.Tenancy;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Web.Endpoints;

/// <summary><c>POST /api/v1/leads</c>: capture a lead with the IB's API key. Every failure is problem+json.</summary>
public static class LeadCaptureEndpoints
{
    public const int MaxBodyBytes = 16 * 1024;

    public static IEndpointRouteBuilder MapLeadCaptureEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/leads", CaptureLeadAsync)
            .RequireAuthorization(Policies.ApiClient)
            .RequireRateLimiting(RateLimits.Api)
            .DisableAntiforgery()
            .WithName("CaptureLead")
            .WithTags("Leads")
            .WithSummary("Capture a lead")
            .WithDescription(
                "Stores the lead for the IB that owns the API key, tags it (demo-request, the IB type, a volume tag, each with the IB's prefix) " +
                "and queues its sync to Systeme.io. 201 for a new lead, 200 when the IB already had this email (new tags are added).")
            .Accepts<LeadInput>("application/json")
            .Produces<LeadResponse>(StatusCodes.Status201Created)
            .Produces<LeadResponse>(StatusCodes.Status200OK)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    public static async Task<Results<Created<LeadResponse>, Ok<LeadResponse>, ValidationProblem, ProblemHttpResult>> CaptureLeadAsync(
        HttpContext http, LeadCapture capture, ClientFlowDbContext db, CancellationToken cancellationToken)
    {
        if (!http.Request.HasJsonContentType())
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the lead as application/json.");
        }

        var body = await RequestBody.ReadLimitedAsync(http.Request, MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"A lead is at most {MaxBodyBytes / 1024} KiB of JSON.");
        }

        LeadInput? input;
        try
        {
            input = JsonSerializer.Deserialize<LeadInput>(body);
        }
        catch (JsonException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, "Malformed JSON", $"The body is not a lead object: {ex.Message}");
        }

        if (input is null)
        {
            return Problem(StatusCodes.Status400BadRequest, "Malformed JSON", "The body must be a JSON object.");
        }

        var tenantId = http.User.GetTenantId()!.Value;
        var result = await capture.CaptureAsync(tenantId, input, LeadSource.Api, cancellationToken);
        switch (result.Status)
        {
            case CaptureStatus.Invalid:
                return TypedResults.ValidationProblem(result.Errors, title: "The lead is not valid.");
            case CaptureStatus.LimitReached:
                return Problem(StatusCodes.Status403Forbidden, "Lead limit reached", CaptureResult.LimitReachedMessage);
            case CaptureStatus.TakenByAnotherIb:
                return Problem(StatusCodes.Status409Conflict, "Already registered with another IB", CaptureResult.TakenMessage);
            case CaptureStatus.Erased:
                return Problem(StatusCodes.Status409Conflict, "Erased at the person's request", CaptureResult.ErasedMessage);
        }

        var prefix = await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.TagPrefix).SingleAsync(cancellationToken);
        var lead = result.Lead!;
        var slugs = lead.Tags.Select(t => t.Slug).Order(StringComparer.Ordinal).ToList();
        var response = new LeadResponse(
            lead.Id,
            lead.Ref,
            lead.Email,
            result.Status == CaptureStatus.Created,
            lead.Status.ToString(),
            lead.SyncState.ToString(),
            slugs,
            slugs.Select(s => TagSlug.Qualify(prefix, s)).ToList());
        return result.Status == CaptureStatus.Created
            ? TypedResults.Created($"/Leads/{lead.Id}", response)
            : TypedResults.Ok(response);
    }

    /// <summary>The body, or null when it is larger than <see cref="MaxBodyBytes"/> (checked while reading, whatever Content-Length says).</summary>
    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
