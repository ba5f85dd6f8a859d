using ClientFlow.Automation.Email;
using ClientFlow.Automation.Outbox;
using Microsoft.AspNetCore.Identity.UI.Services;
using Microsoft.Extensions.Options;

namespace ClientFlow.Web.Email;

/// <summary>
/// Account emails (confirm the address, reset the password) through the configured channel: with
/// <c>Email:Channel=Smtp</c> they are delivered by the same SMTP channel as workflow mail, with a text part and no
/// tracking, in every environment. Without SMTP there is no way to reach the IB: in Development the whole message goes
/// to the log so the link can be followed by hand; elsewhere an error says it was not sent, never its (secret-bearing)
/// body. A refused or failed delivery is logged as an error and the page carries on: the IB can ask again
/// (<c>/Settings</c> sends the confirmation link again; the reset page takes the address again).
/// </summary>
public sealed partial class AccountEmailSender(
    IHostEnvironment environment,
    IOptions<EmailOptions> emailOptions,
    SmtpEmailChannel smtp,
    TimeProvider clock,
    ILogger<AccountEmailSender> logger) : IEmailSender
{
    public async Task SendEmailAsync(string email, string subject, string htmlMessage)
    {
        if (emailOptions.Value.Channel == EmailChannelKind.Smtp)
        {
            var message = new EmailMessage
            {
                Kind = EmailKind.Notification,
                Token = EmailTracking.NewToken(),
                To = email,
                Subject = subject,
                HtmlBody = htmlMessage,
                TextBody = HtmlText.FromHtml(htmlMessage),
                FromName = "ClientFlow",
                Channel = EmailChannelKind.Smtp,
                CreatedAt = clock.GetUtcNow(),
            };
            try
            {
                await smtp.DeliverAsync(message, CancellationToken.None);
                LogSent(subject);
            }
            catch (OutboundException ex)
            {
                LogFailed(ex, subject);
            }

            return;
        }

        if (environment.IsDevelopment())
        {
            LogDevelopmentEmail(email, subject, htmlMessage);
        }
        else
        {
            LogNotSent(subject);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Account email '{Subject}' sent")]
    private partial void LogSent(string subject);

    [LoggerMessage(Level = LogLevel.Error, Message = "Account email '{Subject}' could not be sent; the IB can ask for it again")]
    private partial void LogFailed(Exception exception, string subject);

    [LoggerMessage(Level = LogLevel.Information, Message = "Development email to {Recipient}: {Subject}\n{Body}")]
    private partial void LogDevelopmentEmail(string recipient, string subject, string body);

    [LoggerMessage(Level = LogLevel.Error, Message = "Account email '{Subject}' not sent: set Email:Channel=Smtp and Smtp:* to deliver account emails")]
    private partial void LogNotSent(string subject);
}
