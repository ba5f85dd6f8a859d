using System.Diagnostics.Metrics;
using ClientFlow.Automation.Diagnostics;
using ClientFlow.Web.Authorization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace ClientFlow.Web.Hosting;

/// <summary>
/// OpenTelemetry metrics with a Prometheus scrape endpoint at <c>/metrics</c> for admins and for a scraper holding
/// <c>Metrics:ScrapeToken</c>: the <see cref="ClientFlowMetrics"/> meter (load, lag, backlogs, the Systeme.io budget,
/// import rows), ASP.NET Core's request metrics and the runtime's (GC, working set, thread pool).
/// </summary>
public static class MetricsHosting
{
    public const string ScrapePath = "/metrics";

    public static IServiceCollection AddClientFlowMetrics(this IServiceCollection services)
    {
        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.SectionName)
            .Validate(o => o.IsValid, $"Metrics:ScrapeToken must be empty (only signed-in admins read /metrics) or at least {MetricsOptions.MinTokenLength} characters.")
            .ValidateOnStart();

        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ScrapeTokenAuthenticationHandler>(ScrapeTokenAuthenticationHandler.SchemeName, null)
            .AddPolicyScheme(ScrapeTokenAuthenticationHandler.CookieOrTokenScheme, null, options =>
            {
                options.ForwardDefaultSelector = http => http.Request.Headers.Authorization.Count > 0
                    ? ScrapeTokenAuthenticationHandler.SchemeName
                    : IdentityConstants.ApplicationScheme;
                options.ForwardChallenge = ScrapeTokenAuthenticationHandler.SchemeName;
            });

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("ClientFlow"))
            .WithMetrics(metrics => metrics
                .AddMeter(ClientFlowMetrics.MeterName)
                // Built with the provider, so the gauges exist from the first scrape, before any counter is touched.
                .AddInstrumentation(sp => sp.GetRequiredService<ClientFlowMetrics>())
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                // No response cache: the gauges' database snapshot is the one cache (LoadSnapshots), and a scrape right
                // after an import or a step shows it. Concurrent scrapes still share one collection.
                .AddPrometheusExporter(options => options.ScrapeResponseCacheDurationMilliseconds = 0));
        services.ConfigureOpenTelemetryMeterProvider((sp, metrics) => metrics.AddView(OwnMetersOnly(sp.GetRequiredService<IMeterFactory>())));
        return services;
    }

    /// <summary>Admins and the scrape token only; a signed-in IB gets 404 like every admin surface, anyone else 401.</summary>
    public static IEndpointRouteBuilder MapClientFlowMetrics(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint(ScrapePath)
            .RequireAuthorization(Policies.MetricsReader)
            // Scrapes every few seconds would drown the users' requests in http.server.request.duration.
            .DisableHttpMetrics();
        return app;
    }

    /// <summary>
    /// A <see cref="MeterListener"/> hears every meter of the process, and two hosts in one process (tests, a worker beside
    /// the web host) each have a <c>ClientFlow</c> meter made by their own <see cref="IMeterFactory"/>. This host reports
    /// its own and the process-wide ones (the runtime's), never another host's counters or gauges.
    /// </summary>
    private static Func<Instrument, MetricStreamConfiguration?> OwnMetersOnly(IMeterFactory own) =>
        instrument => instrument.Meter.Scope is IMeterFactory factory && !ReferenceEquals(factory, own) ? MetricStreamConfiguration.Drop : null;
}
