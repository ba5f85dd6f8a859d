namespace ClientFlow.Automation.Email;

/// <summary><c>Email:Channel</c>: how the installation delivers.</summary>
public enum EmailChannelKind
{
    /// <summary>Stored and shown on /Outbox (the Development default).</summary>
    Outbox,

    /// <summary>Real delivery through MailKit.</summary>
    Smtp,

    /// <summary>Adds <c>{prefix}email-{template}</c> so a Systeme.io rule sends the email written there.</summary>
    SystemeTag,
}
