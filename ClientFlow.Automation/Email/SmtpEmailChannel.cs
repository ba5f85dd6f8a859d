using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using ClientFlow.Automation.Outbox;

namespace ClientFlow.Automation.Email;

/// <summary>
/// Real delivery through MailKit: From is <c>Smtp:From</c> with the IB's name, Reply-To the IB;
/// a workflow send carries one-click <c>List-Unsubscribe</c> headers (RFC 8058). 5xx answers are
/// final (a 5xx refusal of the recipient is a hard bounce, <see cref="OutboundException.RecipientRefused"/>); 4xx,
/// timeouts and network errors are retried by the outbox.
/// </summary>
public sealed class SmtpEmailChannel(IOptions<SmtpOptions> options, IOptions<PublicUrlOptions> urls) : IEmailChannel
{
    public bool IsExternal => true;

    public async Task DeliverAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        MimeMessage mime;
        try
        {
            mime = Build(message, settings, urls.Value.Origin);
        }
        catch (ParseException ex)
        {
            // An address the app accepted but MIME does not: a refusal with its reason, not a crash mid-send.
            throw new OutboundException(transient: false, $"Cannot build the message: {ex.Message}");
        }


        using var client = new SmtpClient { Timeout = (int)settings.Timeout.TotalMilliseconds };
        try
        {
            var security = settings.UseTls ? (settings.Port == 465 ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTlsWhenAvailable) : SecureSocketOptions.None;
            await client.ConnectAsync(settings.Host!, settings.Port, security, cancellationToken);
            if (!string.IsNullOrEmpty(settings.UserName))
            {
                await client.AuthenticateAsync(settings.UserName, settings.Password ?? string.Empty, cancellationToken);
            }

            await client.SendAsync(mime, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (SmtpCommandException ex) when (ex.ErrorCode == SmtpErrorCode.RecipientNotAccepted && (int)ex.StatusCode >= 500)
        {
            throw new OutboundException(transient: false, $"SMTP {(int)ex.StatusCode}: {ex.Message}") { RecipientRefused = true };
        }
        catch (SmtpCommandException ex)
        {
            throw new OutboundException(transient: (int)ex.StatusCode < 500, $"SMTP {(int)ex.StatusCode}: {ex.Message}");
        }
        catch (AuthenticationException ex)
        {
            throw new OutboundException(transient: false, $"SMTP login refused: {ex.Message}");
        }
        catch (Exception ex) when (ex is SmtpProtocolException or IOException or SocketException or ServiceNotConnectedException or TimeoutException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new OutboundException(transient: true, $"SMTP server unreachable: {ex.Message}");
        }
    }

    internal static MimeMessage Build(EmailMessage message, SmtpOptions settings, string origin)
    {
        var mime = new MimeMessage
        {
            Subject = message.Subject,
            MessageId = $"{message.Id:N}@clientflow",
        };
        mime.From.Add(new MailboxAddress(message.FromName ?? "ClientFlow", settings.From!));
        if (!string.IsNullOrWhiteSpace(message.ReplyTo))
        {
            mime.ReplyTo.Add(MailboxAddress.Parse(message.ReplyTo));
        }

        mime.To.Add(MailboxAddress.Parse(message.To));
        if (message.Kind == EmailKind.Workflow)
        {
            mime.Headers.Add("List-Unsubscribe", $"<{EmailTracking.UnsubscribeUrl(origin, message.Token)}>");
            mime.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }

        var body = new BodyBuilder { HtmlBody = message.HtmlBody, TextBody = message.TextBody };
        mime.Body = body.ToMessageBody();
        return mime;
    }
}
