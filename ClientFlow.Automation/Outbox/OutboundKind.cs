namespace ClientFlow.Automation.Outbox;

public enum OutboundKind
{
    /// <summary>Ensure the lead's Systeme.io contact, its fields and every prefixed tag.</summary>
    SystemeLeadSync,

    /// <summary>Take the tag in <see cref="OutboundOperation.Payload"/> (a bare slug) off the lead's contact.</summary>
    SystemeTagRemoval,

    /// <summary>Deliver the <see cref="Email.EmailMessage"/> in <see cref="OutboundOperation.EmailMessageId"/> through the configured channel.</summary>
    EmailDelivery,

    /// <summary>POST the notification in the payload to the IB's webhook, signed.</summary>
    NotifyWebhook,

    /// <summary>Send the notification in the payload as an SMS.</summary>
    NotifySms,

    /// <summary>Take an erased lead's prefixed tags off its contact (<see cref="Systeme.SystemeErasure"/> in the payload; no lead row).</summary>
    SystemeErasure,
}
