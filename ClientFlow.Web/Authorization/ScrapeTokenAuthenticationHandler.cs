using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using ClientFlow.Web.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace ClientFlow.Web.Authorization;

/// <summary>
/// <c>Authorization: Bearer {Metrics:ScrapeToken}</c> for a Prometheus server, which cannot sign in with a cookie. Only
/// the <see cref="Policies.MetricsReader"/> policy asks for this scheme, and the identity it gives carries no role, so the
/// token opens <c>/metrics</c> and nothing else. The token is compared in constant time (as SHA-256 digests, so its
/// length does not show either); with none configured every bearer is refused. A refusal answers 401 with a
/// <c>WWW-Authenticate: Bearer</c> challenge and problem+json, and never echoes the token.
/// </summary>
public sealed class ScrapeTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<MetricsOptions> metrics,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ScrapeToken";

    /// <summary>
    /// What the metrics policy authenticates with: this handler when the request carries an <c>Authorization</c> header,
    /// the Identity cookie otherwise; either way a missing or refused caller is challenged here (401), not sent to the
    /// login page, which a scraper would follow and then fail to parse.
    /// </summary>
    public const string CookieOrTokenScheme = "CookieOrScrapeToken";

    /// <summary>The one claim a valid token gives.</summary>
    public const string ScraperClaim = "clientflow:metrics-scraper";

    private const string BearerPrefix = "Bearer ";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var expected = metrics.Value.ScrapeToken;
        if (!metrics.Value.HasScrapeToken || !SameToken(header[BearerPrefix.Length..].Trim(), expected!))
        {
            return Task.FromResult(AuthenticateResult.Fail("Invalid scrape token."));
        }

        var identity = new ClaimsIdentity([new Claim(ScraperClaim, "true"), new Claim(ClaimTypes.Name, "metrics scraper")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var presented = Request.Headers.Authorization.ToString().StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase);
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = presented ? "Bearer realm=\"ClientFlow metrics\", error=\"invalid_token\"" : "Bearer realm=\"ClientFlow metrics\"";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Unauthorized",
                Detail = presented ? "The scrape token is not valid." : "Sign in as an admin, or send Metrics:ScrapeToken as a bearer token.",
            },
        });
    }

    private static bool SameToken(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
