using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Automation.Workflows;

public static class WorkflowsServiceCollectionExtensions
{
    public static IServiceCollection AddWorkflows(this IServiceCollection services)
    {
        services.AddScoped<WorkflowEditor>();
        services.AddScoped<StarterPacks>();
        return services;
    }
}
