using ClientFlow.Automation.Tenancy;

namespace ClientFlow.Automation.Systeme;

/// <summary>One IB's latest "Test the connection" (<see cref="SystemeConnectionCheck"/>): what it did and how it ended.</summary>
public sealed class SystemeConnectionTest : ITenantOwned
{
    public Guid TenantId { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    /// <summary>The test contact the tag went on.</summary>
    public long? ContactId { get; set; }

    /// <summary>When Systeme.io accepted the test tag on the contact.</summary>
    public DateTimeOffset? TagAddedAt { get; set; }

    /// <summary>When the tag's CONTACT_TAG_ADDED webhook reached ClientFlow.</summary>
    public DateTimeOffset? WebhookAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>Null while it runs.</summary>
    public bool? Passed { get; set; }

    /// <summary>What happened, in words: the reason when it failed.</summary>
    public string? Result { get; set; }
}
