using Microsoft.AspNetCore.Identity;

namespace ClientFlow.Automation.Tenancy;

/// <summary>An Identity user. IBs belong to exactly one tenant; admins belong to none.</summary>
public sealed class ClientFlowUser : IdentityUser
{
    public Guid? TenantId { get; set; }

    public Tenant? Tenant { get; set; }
}
