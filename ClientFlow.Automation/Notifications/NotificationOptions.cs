using System.ComponentModel.DataAnnotations;

namespace ClientFlow.Automation.Notifications;

/// <summary><c>Notifications:*</c>: where notify steps may reach, and the SMS provider (Twilio-compatible REST).</summary>
public sealed class NotificationOptions
{
    public const string SectionName = "Notifications";

    /// <summary>Webhooks to private, loopback and link-local addresses. Off outside Development: a webhook URL must not reach our own network.</summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>A Twilio-compatible API root; messages go to <c>{SmsBaseUrl}/Accounts/{SmsAccountSid}/Messages.json</c>.</summary>
    [Url]
    public string SmsBaseUrl { get; set; } = "https://api.twilio.com/2010-04-01";

    public string? SmsAccountSid { get; set; }

    public string? SmsAuthToken { get; set; }

    /// <summary>The sender number; SMS steps fail with a clear reason while these three are empty.</summary>
    public string? SmsFrom { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "00:02:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    public bool SmsConfigured => !string.IsNullOrWhiteSpace(SmsAccountSid) && !string.IsNullOrWhiteSpace(SmsAuthToken) && !string.IsNullOrWhiteSpace(SmsFrom);
}
