using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Email;

public static class EmailServiceCollectionExtensions
{
    public static IServiceCollection AddEmail(this IServiceCollection services)
    {
        services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<PublicUrlOptions>().BindConfiguration(PublicUrlOptions.SectionName);
        services.AddOptions<TrackingOptions>().BindConfiguration(TrackingOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<SmtpOptions>, SmtpSettingsCheck>();
        services.AddScoped<EmailComposer>();
        services.AddScoped<EmailDelivery>();
        services.AddScoped<Suppressions>();
        services.AddScoped<EmailSends>();
        services.AddScoped<EmailEngagement>();
        services.AddScoped<OutboxEmailChannel>();
        services.AddScoped<SmtpEmailChannel>();
        services.AddScoped<SystemeTagEmailChannel>();
        services.AddScoped<IEmailChannel>(sp => sp.GetRequiredService<IOptions<EmailOptions>>().Value.Channel switch
        {
            EmailChannelKind.Smtp => sp.GetRequiredService<SmtpEmailChannel>(),
            EmailChannelKind.SystemeTag => sp.GetRequiredService<SystemeTagEmailChannel>(),
            _ => sp.GetRequiredService<OutboxEmailChannel>(),
        });
        return services;
    }
}
