using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Notifications;

public static class NotificationsServiceCollectionExtensions
{
    public static IServiceCollection AddNotifications(this IServiceCollection services)
    {
        services.AddOptions<NotificationOptions>().BindConfiguration(NotificationOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient(NotificationSender.HttpClientName, client => client.DefaultRequestHeaders.UserAgent.ParseAdd("ClientFlow-Notifications/1.0"))
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseProxy = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                ConnectCallback = TargetGuard.Connector(sp.GetRequiredService<IOptions<NotificationOptions>>().Value.AllowPrivateTargets),
            });
        services.AddHttpClient(NotificationSender.SmsHttpClientName, client => client.DefaultRequestHeaders.UserAgent.ParseAdd("ClientFlow-Notifications/1.0"))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        services.AddScoped<NotificationSender>();
        return services;
    }
}
