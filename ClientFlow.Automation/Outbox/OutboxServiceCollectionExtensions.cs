using ClientFlow.Automation.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Automation.Outbox;

public static class OutboxServiceCollectionExtensions
{
    public static IServiceCollection AddOutbox(this IServiceCollection services)
    {
        services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<OutboxHandoff>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxHandoff>());
        services.AddScoped<OutboxJobs>();
        services.AddScoped<OutboxDispatcher>();
        services.AddScoped<OutboxSweep>();
        services.AddScoped<DeadLetters>();
        services.AddScoped<OutboxJob>();
        services.AddScoped<OutboxSweepJob>();
        return services;
    }
}
