using System.Security.Claims;

namespace ClientFlow.Web.Tenancy;

public static class TenantClaims
{
    /// <summary>The signed-in IB's tenant id, issued at sign-in.</summary>
    public const string TenantId = "clientflow:tenant";

    public static Guid? GetTenantId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(TenantId), out var id) ? id : null;
}
