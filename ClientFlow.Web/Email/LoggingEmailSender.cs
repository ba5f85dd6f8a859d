using Microsoft.AspNetCore.Identity.UI.Services;

namespace ClientFlow.Web.Email;

/// <summary>
/// Account emails (confirmation, password reset) until a delivery channel is configured:
/// in Development the whole message goes to the log so the link can be followed by hand;
/// elsewhere only the fact that it was not sent, never its (secret-bearing) body.
/// </summary>
public sealed partial class LoggingEmailSender(IHostEnvironment environment, ILogger<LoggingEmailSender> logger) : IEmailSender
{
    public Task SendEmailAsync(string email, string subject, string htmlMessage)
    {
        if (environment.IsDevelopment())
        {
            LogDevelopmentEmail(email, subject, htmlMessage);
        }
        else
        {
            LogNotSent(subject);
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Development email to {Recipient}: {Subject}\n{Body}")]
    private partial void LogDevelopmentEmail(string recipient, string subject, string body);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account email '{Subject}' not sent: no email channel is configured")]
    private partial void LogNotSent(string subject);
}
