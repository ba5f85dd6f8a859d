using System.Diagnostics.Metrics;
using ClientFlow.Automation.Systeme;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Diagnostics;

public static class DiagnosticsServiceCollectionExtensions
{
    /// <summary>
    /// The meter and its database snapshots, one per host: its <see cref="IMeterFactory"/>
    /// owns the meter, so hosts side by side (tests, a worker) each keep their own counters.
    /// </summary>
    public static IServiceCollection AddDiagnostics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<LoadSnapshots>();
        services.TryAddSingleton(sp => new ClientFlowMetrics(
            sp.GetRequiredService<IMeterFactory>(),
            sp.GetRequiredService<LoadSnapshots>(),
            sp.GetRequiredService<IOptions<SystemeOptions>>()));
        return services;
    }
}
