using System.Text.Json;
using ClientFlow.Web.Authorization;
using ClientFlow.Web.Endpoints;
using ClientFlow.Web.Tenancy;
using Hangfire;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Serilog;

namespace ClientFlow.Web.Hosting;

public static class ClientFlowApplicationExtensions
{
    /// <summary>The middleware pipeline, in order.</summary>
    public static WebApplication UseClientFlow(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error");
            app.UseHsts();
        }

        app.UseSerilogRequestLogging(options => options.Logger = app.Services.GetRequiredService<Serilog.ILogger>());
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseAuthentication();
        app.UseMiddleware<TenantResolutionMiddleware>();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }

    /// <summary>Every endpoint the app serves.</summary>
    public static WebApplication MapClientFlow(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapRazorPages().WithStaticAssets();
        app.MapLeadCaptureEndpoints();
        app.MapTrackingEndpoints();
        app.MapSystemeWebhookEndpoints();
        app.MapOpenApi().AllowAnonymous();
        app.MapHealthChecks("/healthz", new HealthCheckOptions { ResponseWriter = WriteHealthAsync }).AllowAnonymous();
        app.MapClientFlowMetrics();
        app.MapHangfireDashboardWithAuthorizationPolicy(Policies.Admin, "/hangfire", new DashboardOptions
        {
            DashboardTitle = "ClientFlow jobs",
            AppPath = "/Admin/Tenants",
            DisplayStorageConnectionString = false,
        });
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
