using System.Security.Claims;
using ClientFlow.Automation.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace ClientFlow.Web.Tenancy;

/// <summary>Adds the tenant claim to the cookie, so each request knows its tenant without a lookup.</summary>
public sealed class ClientFlowClaimsPrincipalFactory(
    UserManager<ClientFlowUser> userManager,
    RoleManager<IdentityRole> roleManager,
    IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<ClientFlowUser, IdentityRole>(userManager, roleManager, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(ClientFlowUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (user.TenantId is { } tenantId)
        {
            identity.AddClaim(new Claim(TenantClaims.TenantId, tenantId.ToString()));
        }

        return identity;
    }
}
