using ClientFlow.Automation.Data;
using ClientFlow.Automation.Diagnostics;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Notifications;
using ClientFlow.Automation.Templates;
using ClientFlow.Automation.Workflows;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Outbox;
using ClientFlow.Automation.Retention;
using ClientFlow.Automation.Systeme;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Automation.Webhooks;
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
        services.AddDiagnostics();
        services.AddTenancy();
        services.AddLeads();
        services.AddSysteme();
        services.AddOutbox();
        services.AddTemplates();
        services.AddWorkflows();
        services.AddEngine();
        services.AddEmail();
        services.AddNotifications();
        services.AddWebhooks();
        services.AddRetention();
        return services;
    }
}
