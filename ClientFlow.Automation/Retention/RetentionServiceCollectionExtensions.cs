using ClientFlow.Automation.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Automation.Retention;

public static class RetentionServiceCollectionExtensions
{
    public static IServiceCollection AddRetention(this IServiceCollection services)
    {
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<RetentionPruner>();
        services.AddScoped<RetentionJob>();
        return services;
    }
}
