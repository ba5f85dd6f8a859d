using System.Globalization;
using System.Threading.RateLimiting;
using ClientFlow.Automation.Leads;
using ClientFlow.Web.Tenancy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace ClientFlow.Web.Hosting;

/// <summary>
/// The hosted form and signing up are limited per client address (<c>Capture:FormSubmissionsPerMinute</c>,
/// <c>Accounts:SignUpsPerHour</c>); the capture API per tenant (<c>Capture:ApiRequestsPerMinute</c>). A refused page
/// gets a short page saying so, an API client problem+json; both with <c>Retry-After</c>.
/// </summary>
public static class RateLimits
{
    public const string Form = "form";
    public const string Api = "api";
    public const string SignUp = "signup";

    public static IServiceCollection AddClientFlowRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var capture = configuration.GetSection(CaptureOptions.SectionName).Get<CaptureOptions>() ?? new CaptureOptions();
        services.AddOptions<AccountOptions>().BindConfiguration(AccountOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        var accounts = configuration.GetSection(AccountOptions.SectionName).Get<AccountOptions>() ?? new AccountOptions();
        services.AddRateLimiter(options =>
        {
            options.AddPolicy(SignUp, http => HttpMethods.IsPost(http.Request.Method)
                ? RateLimitPartition.GetFixedWindowLimiter(
                    http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = accounts.SignUpsPerHour, Window = TimeSpan.FromHours(1) })
                : RateLimitPartition.GetNoLimiter(string.Empty));
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
        if (ClientFlowApplicationExtensions.WantsPage(http))
        {
            // A person at a form: a page that says what happened and when to try again.
            var minutes = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalMinutes));
            http.Response.ContentType = "text/html; charset=utf-8";
            await http.Response.WriteAsync(
                $"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Too many attempts</title><link rel="stylesheet" href="/lib/bootstrap/dist/css/bootstrap.min.css"></head><body class="container py-4"><main><h1 class="h4">Too many attempts</h1><p role="alert">Too many attempts from your address. Please try again in {minutes} minute{(minutes == 1 ? string.Empty : "s")}.</p></main></body></html>""",
                cancellationToken);
            return;
        }

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
