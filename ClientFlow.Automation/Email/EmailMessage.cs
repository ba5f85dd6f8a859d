using ClientFlow.Automation.Tenancy;

namespace ClientFlow.Automation.Email;

/// <summary>
/// One rendered email, written in the same transaction as the step that sends it (unique per run
/// and step) and delivered afterwards through the outbox. Its <see cref="Token"/> keys the open
/// pixel, the click links and the unsubscribe link.
/// </summary>
public sealed class EmailMessage : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public EmailKind Kind { get; set; } = EmailKind.Workflow;

    public Guid? LeadId { get; set; }

    public Guid? RunId { get; set; }

    public int? StepIndex { get; set; }

    public Guid? TemplateId { get; set; }

    public string? TemplateName { get; set; }

    /// <summary>Random, unguessable, unique across tenants (tracking links carry it).</summary>
    public required string Token { get; set; }

    public required string To { get; set; }

    public required string Subject { get; set; }

    public required string HtmlBody { get; set; }

    public string? TextBody { get; set; }

    /// <summary>The original targets of the tracked links, in order: <c>/t/c/{token}/{n}</c> redirects to the n-th.</summary>
    public string LinksJson { get; set; } = "[]";

    public string? FromName { get; set; }

    public string? ReplyTo { get; set; }

    public EmailChannelKind Channel { get; set; }

    public EmailStatus Status { get; set; } = EmailStatus.Pending;

    public string? LastError { get; set; }

    /// <summary>The claim (outbox lease owner) that put the message in <see cref="EmailStatus.Sending"/>; only it moves the fence on while it lasts.</summary>
    public Guid? SendingOwner { get; set; }

    /// <summary>When the Sending fence lapses: past it, its owner is taken for dead and the next claimant declares the message unconfirmed.</summary>
    public DateTimeOffset? SendingUntil { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? SentAt { get; set; }

    public DateTimeOffset? OpenedAt { get; set; }

    public DateTimeOffset? ClickedAt { get; set; }

    public int OpenCount { get; set; }

    /// <summary>Opens and clicks judged automatic (an open seconds after delivery, a link scanner): counted apart, they do not make the lead engaged.</summary>
    public int MachineEvents { get; set; }

    public DateTimeOffset? LastMachineEventAt { get; set; }

    public int ClickCount { get; set; }
}
