using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Systeme;

public static class SystemeServiceCollectionExtensions
{
    public static IServiceCollection AddSysteme(this IServiceCollection services)
    {
        services.AddOptions<SystemeOptions>()
            .BindConfiguration(SystemeOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSingleton<SystemeRateLimiter>();
        services.AddSingleton<SystemeTagCache>();
        services.AddTransient<SystemeBudgetHandler>();
        var client = services.AddHttpClient<ISystemeClient, SystemeClient>((sp, http) =>
            {
                var options = sp.GetRequiredService<IOptions<SystemeOptions>>().Value;
                http.BaseAddress = options.BaseUrl.AbsoluteUri.EndsWith('/') ? options.BaseUrl : new Uri(options.BaseUrl.AbsoluteUri + "/");
                http.Timeout = Timeout.InfiniteTimeSpan; // per attempt, in the resilience pipeline (SystemeResilience)
                http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                if (!options.IsOffline)
                {
                    http.DefaultRequestHeaders.Add("X-API-Key", options.ApiKey);
                }
            });
        SystemeResilience.Add(client);
        services.AddScoped<LeadSync>();
        services.AddScoped<SystemeReconciler>();
        services.AddScoped<SystemeConnectionCheck>();
        services.AddScoped<SystemeConversations>();
        return services;
    }
}
