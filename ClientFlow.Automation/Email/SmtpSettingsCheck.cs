using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Email;

/// <summary>With <c>Email:Channel=Smtp</c>, start-up needs <c>Smtp:Host</c>, <c>Smtp:From</c> and <c>App:PublicBaseUrl</c> (links in emails need a real origin).</summary>
internal sealed class SmtpSettingsCheck(IOptions<EmailOptions> email, IConfiguration configuration) : IValidateOptions<SmtpOptions>
{
    public ValidateOptionsResult Validate(string? name, SmtpOptions options)
    {
        if (email.Value.Channel != EmailChannelKind.Smtp)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            failures.Add("Smtp:Host must be set when Email:Channel is Smtp.");
        }

        if (string.IsNullOrWhiteSpace(options.From))
        {
            failures.Add("Smtp:From must be set when Email:Channel is Smtp.");
        }
        else if (!Leads.LeadInputRules.IsEmail(options.From.Trim()))
        {
            failures.Add($"Smtp:From must be an email address ('{options.From}' is not).");
        }

        if (string.IsNullOrWhiteSpace(configuration["App:PublicBaseUrl"]))
        {
            failures.Add("App:PublicBaseUrl must be set when Email:Channel is Smtp: tracking and unsubscribe links need the public origin.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
