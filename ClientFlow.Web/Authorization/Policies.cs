using ClientFlow.Automation.Tenancy;
using ClientFlow.Web.Tenancy;
using Microsoft.AspNetCore.Authorization;

namespace ClientFlow.Web.Authorization;

public static class Policies
{
    public const string Admin = "Admin";
    public const string Ib = "IB";

    /// <summary>A caller of the capture API, authenticated by its tenant's API key.</summary>
    public const string ApiClient = "ApiClient";

    /// <summary>Reads <c>/metrics</c>: a signed-in admin, or a Prometheus server with <c>Metrics:ScrapeToken</c>.</summary>
    public const string MetricsReader = "MetricsReader";

    public static AuthorizationBuilder AddClientFlowPolicies(this AuthorizationBuilder builder) => builder
        .AddPolicy(Admin, p => p.RequireAuthenticatedUser().RequireRole(Roles.Admin))
        .AddPolicy(Ib, p => p.RequireAuthenticatedUser().RequireRole(Roles.Ib).RequireClaim(TenantClaims.TenantId))
        .AddPolicy(ApiClient, p => p
            .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser()
            .RequireClaim(TenantClaims.TenantId))
        .AddPolicy(MetricsReader, p => p
            .AddAuthenticationSchemes(ScrapeTokenAuthenticationHandler.CookieOrTokenScheme)
            .RequireAuthenticatedUser()
            .RequireAssertion(c => c.User.IsInRole(Roles.Admin) || c.User.HasClaim(ScrapeTokenAuthenticationHandler.ScraperClaim, "true")));
}
