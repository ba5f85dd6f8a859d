using Microsoft.AspNetCore.Identity;

namespace ClientFlow.Automation.Tenancy;

public sealed record IbRegistration(IdentityResult Result, ClientFlowUser? User, Tenant? Tenant)
{
    public bool Succeeded => Result.Succeeded;
}
