using System.ComponentModel.DataAnnotations;

namespace ClientFlow.Automation.Email;

public sealed class EmailOptions
{
    public const string SectionName = "Email";

    public EmailChannelKind Channel { get; set; } = EmailChannelKind.Outbox;

    /// <summary>
    /// The secret the SMTP provider signs its bounce and complaint events with (<c>POST /webhooks/email-events</c>,
    /// hex HMAC-SHA256 of the raw body in <c>X-Webhook-Signature</c>, as Systeme.io's). Empty: the intake refuses all.
    /// </summary>
    public string? EventsSecret { get; set; }
}
