namespace ClientFlow.Automation.Leads;

/// <summary>
/// The first IB to capture an email, platform-wide. Under <c>Capture:Policy=Exclusive</c> it decides
/// who may keep a lead for that address; a primary key on the email makes two IBs racing for the
/// same address impossible to both win. Not tenant-owned: it holds no more than the address and the owner.
/// </summary>
public sealed class LeadEmailClaim
{
    public required string Email { get; set; }

    public Guid TenantId { get; set; }

    public DateTimeOffset ClaimedAt { get; set; }
}
