using System.Security.Claims;
using System.Text.Encodings.Web;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Web.Tenancy;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClientFlow.Web.Authorization;

/// <summary>
/// <c>X-Api-Key</c> for the capture API: the key's SHA-256 is looked up (keys are stored hashed).
/// Failures answer 401 problem+json and never echo the key.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ClientFlowDbContext db,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var values) || string.IsNullOrWhiteSpace(values.ToString()))
        {
            return AuthenticateResult.NoResult();
        }

        var hash = ApiKey.Hash(values.ToString().Trim());
        var tenant = await db.Tenants.AsNoTracking()
            .Where(t => t.ApiKeyHash == hash)
            .Select(t => new { t.Id, t.Name })
            .SingleOrDefaultAsync(Context.RequestAborted);
        if (tenant is null)
        {
            return AuthenticateResult.Fail("Invalid API key.");
        }

        var identity = new ClaimsIdentity(
            [new Claim(TenantClaims.TenantId, tenant.Id.ToString()), new Claim(ClaimTypes.Name, tenant.Name)],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = $"ApiKey header=\"{HeaderName}\"";
        var missing = !Request.Headers.ContainsKey(HeaderName);
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Unauthorized",
                Detail = missing ? $"Send your API key in the {HeaderName} header (Settings shows how to create one)." : "The API key is not valid.",
            },
        });
    }
}
