using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ClientFlow.Automation.Tenancy;

public static class TenancyServiceCollectionExtensions
{
    public static IServiceCollection AddTenancy(this IServiceCollection services)
    {
        services.AddOptions<DailyLimitOptions>().BindConfiguration(DailyLimitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<TenantScope>();
        services.AddScoped<ITenantContext>(sp => sp.GetRequiredService<TenantScope>());
        services.TryAddSingleton<ITagPrefixGenerator, RandomTagPrefixGenerator>();
        services.AddScoped<TenantProvisioner>();
        services.AddScoped<IbAccounts>();
        services.AddScoped<SendingGate>();
        services.AddScoped<DailyAllowance>();
        services.AddSingleton<DailyLimitsReached>();
        services.AddScoped<TenantDirectory>();
        services.AddScoped<TenantInspection>();
        return services;
    }
}
