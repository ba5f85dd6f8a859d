namespace ClientFlow.Automation.Email;

public enum EmailStatus
{
    Pending,

    /// <summary>Handed to an outside server; if the worker dies now, it is not sent again.</summary>
    Sending,

    Sent,

    /// <summary>Not sent: the lead unsubscribed before delivery.</summary>
    Suppressed,

    /// <summary>Refused for good (the reason is kept).</summary>
    Failed,

    /// <summary>The worker stopped while the server had it: it may have gone out, so it is not sent twice.</summary>
    Unconfirmed,
}
