using ClientFlow.Automation.Tenancy;

namespace ClientFlow.Automation.Conversions;

/// <summary>
/// A click on a referral link in an email (<c>/r/{token}.{connection}</c>): which lead went to which broker connection,
/// from which message, and when. The first rung of the conversion report (clicks, registered, funded, qualified).
/// </summary>
public sealed class ReferralClick : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid TenantId { get; set; }

    public Guid ConnectionId { get; set; }

    public Guid LeadId { get; set; }

    /// <summary>The email the link was in. Not a foreign key: the click outlives the message's retention.</summary>
    public Guid MessageId { get; set; }

    /// <summary>The message's workflow and template, copied so the report groups clicks without the message.</summary>
    public Guid? WorkflowId { get; set; }

    public Guid? TemplateId { get; set; }

    /// <summary>A link scanner's or a preview's request, not a person's: kept, but not counted as a click.</summary>
    public bool IsMachine { get; set; }

    public DateTimeOffset ClickedAt { get; set; }
}
