using ClientFlow.Automation.Email;
using ClientFlow.Web.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ClientFlow.Web.Endpoints;

/// <summary>
/// What a lead's mail client calls: <c>/t/o/{token}</c> (open pixel), <c>/t/c/{token}/{n}</c> (click
/// redirect to the n-th link of that message, never to a URL from the request), <c>/r/{token}.{connection}</c> (a tracked
/// referral link: to the IB's broker connection's link with the lead's sub-id). Unsubscribing
/// (<c>/u/{token}</c>, GET page and one-click POST) is <c>Pages/Unsubscribe</c>.
/// </summary>
public static class TrackingEndpoints
{
    /// <summary>A transparent 1x1 GIF.</summary>
    private static readonly byte[] Pixel = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    public static IEndpointRouteBuilder MapTrackingEndpoints(this IEndpointRouteBuilder app)
    {
        var tracking = app.MapGroup(string.Empty).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription()
            .WithSecurityHeadersPolicy(SecurityHeaders.Embeddable);
        tracking.MapGet("/t/o/{token}", OpenAsync);
        tracking.MapGet("/t/c/{token}/{index:int}", ClickAsync);
        tracking.MapGet("/t/c/{token}", ClickUrlAsync);
        tracking.MapGet("/r/{token}", ReferralAsync);
        return app;
    }

    public static async Task<FileContentHttpResult> OpenAsync(string token, HttpContext http, EmailEngagement engagement, CancellationToken cancellationToken)
    {
        await engagement.RecordOpenAsync(token, http.Request.Headers.UserAgent.ToString(), cancellationToken);
        http.Response.Headers.CacheControl = "no-store, no-cache, must-revalidate, max-age=0";
        // The same pixel for known and unknown tokens: the answer tells nothing about tokens.
        return TypedResults.File(Pixel, "image/gif");
    }

    /// <summary><c>/t/c/{token}?url=…</c>: redirects only when the message really contains that link.</summary>
    public static async Task<Results<RedirectHttpResult, NotFound>> ClickUrlAsync(string token, string? url, HttpContext http, EmailEngagement engagement, CancellationToken cancellationToken)
    {
        var index = url is null ? null : await engagement.LinkIndexAsync(token, url, cancellationToken);
        return index is null ? TypedResults.NotFound() : await ClickAsync(token, index.Value, http, engagement, cancellationToken);
    }

    /// <summary><c>/r/{token}.{connection}</c>: a referral link in an email; the click is recorded and the lead goes to the IB's broker link with its sub-id.</summary>
    public static async Task<Results<RedirectHttpResult, NotFound>> ReferralAsync(string token, HttpContext http, EmailEngagement engagement, CancellationToken cancellationToken)
    {
        var dot = token.LastIndexOf('.');
        if (dot <= 0 || !Guid.TryParseExact(token[(dot + 1)..], "N", out var connectionId))
        {
            return TypedResults.NotFound();
        }

        var target = await engagement.RecordReferralClickAsync(token[..dot], connectionId, http.Request.Headers.UserAgent.ToString(), cancellationToken);
        return target is null ? TypedResults.NotFound() : TypedResults.Redirect(target);
    }

    public static async Task<Results<RedirectHttpResult, NotFound>> ClickAsync(string token, int index, HttpContext http, EmailEngagement engagement, CancellationToken cancellationToken)
    {
        var target = await engagement.RecordClickAsync(token, index, http.Request.Headers.UserAgent.ToString(), cancellationToken);
        return target is null ? TypedResults.NotFound() : TypedResults.Redirect(target);
    }
}
