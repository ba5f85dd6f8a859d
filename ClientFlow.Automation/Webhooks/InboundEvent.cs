namespace ClientFlow.Automation.Webhooks;

/// <summary>
/// The inbox: every event from outside, stored before it is acknowledged and processed once by a
/// job. Not tenant-owned: the signed Systeme.io service speaks for the whole account, and the
/// tenant is only known once the event's tag prefix or token is read.
/// </summary>
public sealed class InboundEvent
{
    public const int MaxBodyBytes = 64 * 1024;

    public Guid Id { get; set; } = Guid.CreateVersion7();

    public InboundSource Source { get; set; }

    /// <summary>The sender's delivery id (<c>X-Webhook-Message-Id</c>); unique per source, so a redelivery is stored once.</summary>
    public required string MessageId { get; set; }

    /// <summary><c>CONTACT_TAG_ADDED</c>, …, or <c>opened</c>/<c>clicked</c> for a workflow webhook.</summary>
    public required string EventType { get; set; }

    /// <summary>Set for per-IB webhooks (their token names the tenant).</summary>
    public Guid? TenantId { get; set; }

    /// <summary>For per-IB webhooks: the template the Systeme.io workflow named, if any.</summary>
    public string? Template { get; set; }

    public required string Body { get; set; }

    public InboundStatus Status { get; set; } = InboundStatus.Pending;

    /// <summary>Why it was rejected or ignored, or what it did.</summary>
    public string? Outcome { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>Due time; also the lease of the job it was handed to, or of the worker that claimed it.</summary>
    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>The worker whose claim holds the event while <see cref="InboundStatus.Processing"/>; only it records the outcome.</summary>
    public Guid? LeaseOwner { get; set; }

    public DateTimeOffset? ProcessedAt { get; set; }
}

public enum InboundSource
{
    /// <summary>Systeme.io's signed webhook service (<c>POST /webhooks/systeme</c>).</summary>
    SystemeService,

    /// <summary>A Systeme.io workflow "send webhook" action to an IB's token URL.</summary>
    SystemeWorkflow,

    /// <summary>A broker's affiliate platform calling one of an IB's postback URLs (<c>/postbacks/{token}</c>).</summary>
    BrokerPostback,
}

public enum InboundStatus
{
    Pending,

    /// <summary>Claimed by one worker until <see cref="InboundEvent.NextAttemptAt"/>; past that the sweep hands it out again.</summary>
    Processing,

    Processed,

    /// <summary>Understood but nothing to do (a tag without a known prefix, no such lead).</summary>
    Ignored,

    /// <summary>Stored but unusable (malformed JSON); kept with the reason.</summary>
    Rejected,

    /// <summary>Still failing after <see cref="InboxOptions.MaxAttempts"/> attempts; kept with the reason for an admin to retry (/Admin/DeadLetters).</summary>
    DeadLettered,
}
