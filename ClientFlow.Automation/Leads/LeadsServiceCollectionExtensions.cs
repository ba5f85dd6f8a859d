using ClientFlow.Automation.Jobs;
using ClientFlow.Automation.Leads.Import;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Automation.Leads;

public static class LeadsServiceCollectionExtensions
{
    public static IServiceCollection AddLeads(this IServiceCollection services)
    {
        services.AddOptions<CaptureOptions>().BindConfiguration(CaptureOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<LeadCapture>();
        services.AddScoped<ConsentRecords>();
        services.AddScoped<LeadErasure>();
        services.AddScoped<Conversions.Postbacks>();
        services.AddScoped<Conversions.BrokerConnections>();
        services.AddScoped<Conversions.ConversionReport>();
        services.AddScoped<LeadTagging>();
        services.AddScoped<LeadImporter>();
        services.AddScoped<LeadImports>();
        services.AddScoped<LeadImportJob>();
        return services;
    }
}
