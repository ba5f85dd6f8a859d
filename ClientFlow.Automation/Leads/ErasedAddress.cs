using ClientFlow.Automation.Tenancy;

namespace ClientFlow.Automation.Leads;

/// <summary>
/// All an IB keeps of a lead erased at the person's request (<see cref="LeadErasure"/>): the SHA-256 of the address, so a
/// list re-imported or an API call does not bring the person back. The person's own hosted-form submission does (new consent).
/// </summary>
public sealed class ErasedAddress : ITenantOwned
{
    public Guid TenantId { get; set; }

    /// <summary><see cref="Email.Suppressions.HashOf"/> of the address.</summary>
    public required string AddressHash { get; set; }

    public DateTimeOffset ErasedAt { get; set; }
}
