using ClientFlow.Automation.Data;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Outbox;
using ClientFlow.Automation.Systeme;
using ClientFlow.Automation.Tenancy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ClientFlow.Automation;

public static class AutomationServiceCollectionExtensions
{
    /// <summary>The one entry the web host calls: every capability registers itself here.</summary>
    public static IServiceCollection AddClientFlowAutomation(this IServiceCollection services, IConfiguration configuration, string contentRootPath)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddData(configuration, contentRootPath);
        services.AddTenancy();
        services.AddLeads();
        services.AddSysteme();
        services.AddOutbox();
        return services;
    }
}
