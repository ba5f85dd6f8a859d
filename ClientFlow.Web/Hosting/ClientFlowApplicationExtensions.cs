using System.Text.Json;
using ClientFlow.Web.Authorization;
using ClientFlow.Web.Endpoints;
using ClientFlow.Web.Tenancy;
using Hangfire;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Serilog;

namespace ClientFlow.Web.Hosting;

public static class ClientFlowApplicationExtensions
{
    /// <summary>The middleware pipeline, in order.</summary>
    public static WebApplication UseClientFlow(this WebApplication app)
    {
        // Without a configured proxy nobody's forwarded headers are believed (the middleware would believe everyone's).
        if (app.Services.GetRequiredService<IOptions<AppOptions>>().Value is { } options && (options.Proxies.Count > 0 || options.Networks.Count > 0))
        {
            app.UseForwardedHeaders();
        }

        // First, so every response carries the headers, error pages included; HSTS among them, on HTTPS only.
        app.UseSecurityHeaders();
        if (!app.Environment.IsDevelopment())
        {
            // A person gets the error page, whatever the method (a form's POST fails too); an API client or a webhook
            // sender gets problem+json.
            app.UseWhen(WantsPage, page => page.UseExceptionHandler("/Error"));
            app.UseWhen(http => !WantsPage(http), api => api.UseExceptionHandler());
        }

        app.UseSerilogRequestLogging(options => RequestLogging.Configure(options, app.Services.GetRequiredService<Serilog.ILogger>()));
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseAuthentication();
        app.UseMiddleware<TenantResolutionMiddleware>();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }

    /// <summary>A person's browser asks for a page; an API client or a webhook sender does not.</summary>
    internal static bool WantsPage(HttpContext http) =>
        http.Request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true);

    /// <summary>Every endpoint the app serves.</summary>
    public static WebApplication MapClientFlow(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapRazorPages().WithStaticAssets();
        app.MapLeadCaptureEndpoints();
        app.MapTrackingEndpoints();
        app.MapSystemeWebhookEndpoints();
        app.MapEmailEventEndpoints();
        app.MapPostbackEndpoints();
        app.MapOpenApi().AllowAnonymous();
        app.MapHealthChecks("/healthz", new HealthCheckOptions { ResponseWriter = WriteHealthAsync }).AllowAnonymous();
        app.MapClientFlowMetrics();
        app.MapHangfireDashboardWithAuthorizationPolicy(Policies.Admin, "/hangfire", new DashboardOptions
        {
            DashboardTitle = "ClientFlow jobs",
            AppPath = "/Admin/Tenants",
            DisplayStorageConnectionString = false,
        }).WithSecurityHeadersPolicy(SecurityHeaders.JobsDashboard);
        return app;
    }

    private static Task WriteHealthAsync(HttpContext context, Microsoft.Extensions.Diagnostics.HealthChecks.HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString()),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body), context.RequestAborted);
    }
}
