using System.Globalization;
using System.Threading.RateLimiting;
using ClientFlow.Automation.Leads;
using ClientFlow.Web.Tenancy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace ClientFlow.Web.Hosting;

/// <summary>The hosted form is limited per client address; the capture API per tenant (<c>Capture:ApiRequestsPerMinute</c>).</summary>
public static class RateLimits
{
    public const string Form = "form";
    public const string Api = "api";

    public static IServiceCollection AddClientFlowRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var capture = configuration.GetSection(CaptureOptions.SectionName).Get<CaptureOptions>() ?? new CaptureOptions();
        services.AddRateLimiter(options =>
        {
            // Only submissions count: reading the form is free.
            options.AddPolicy(Form, http => HttpMethods.IsPost(http.Request.Method)
                ? RateLimitPartition.GetFixedWindowLimiter(
                    http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = capture.FormSubmissionsPerMinute, Window = TimeSpan.FromMinutes(1) })
                : RateLimitPartition.GetNoLimiter(string.Empty));
            options.AddPolicy(Api, http => RateLimitPartition.GetFixedWindowLimiter(
                http.User.GetTenantId()?.ToString() ?? http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = capture.ApiRequestsPerMinute, Window = TimeSpan.FromMinutes(1) }));
            options.OnRejected = WriteRejectionAsync;
        });
        return services;
    }

    private static async ValueTask WriteRejectionAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
        http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = "Too many requests from you in the last minute. Please wait a moment and try again.",
            },
        });
    }
}
