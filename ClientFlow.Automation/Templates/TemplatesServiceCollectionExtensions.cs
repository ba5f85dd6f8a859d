using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Automation.Templates;

public static class TemplatesServiceCollectionExtensions
{
    public static IServiceCollection AddTemplates(this IServiceCollection services)
    {
        services.AddSingleton<SandboxedRenderer>();
        services.AddScoped<EmailTemplates>();
        return services;
    }
}
