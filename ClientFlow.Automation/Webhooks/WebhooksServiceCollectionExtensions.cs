using ClientFlow.Automation.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Automation.Webhooks;

public static class WebhooksServiceCollectionExtensions
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddOptions<InboxOptions>().BindConfiguration(InboxOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Inbox>();
        services.AddSingleton<InboxHandoff>();
        services.AddHostedService(sp => sp.GetRequiredService<InboxHandoff>());
        services.AddScoped<InboxProcessor>();
        services.AddScoped<WebhookTokens>();
        services.AddScoped<InboxJob>();
        services.AddScoped<InboxSweepJob>();
        return services;
    }
}
