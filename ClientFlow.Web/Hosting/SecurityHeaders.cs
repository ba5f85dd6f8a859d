namespace ClientFlow.Web.Hosting;

/// <summary>
/// The security headers of every response, from NetEscapades.AspNetCore.SecurityHeaders. Pages run under a content
/// security policy that allows scripts, styles, fonts and images from this site only (no inline script, style or
/// event handler: behaviour lives in <c>wwwroot/js</c>, looks in <c>wwwroot/css</c>) and may not be framed; two kinds
/// of response get a policy of their own:
/// <list type="bullet">
/// <item>what other sites embed (<see cref="Embeddable"/>): the hosted form, which IBs put in a frame on their own sites,
/// and the open pixel, which mail clients load from wherever they show the email;</item>
/// <item>the admins' Hangfire dashboard (<see cref="JobsDashboard"/>), whose graphs and progress bars draw with inline
/// styles: the page policy with inline styles allowed, still no inline script;</item>
/// <item>a rendered email (<see cref="MarkEmailBody"/>), shown in a sandboxed frame of this site's pages: the email's
/// own inline styles and remote images, no script, framed by this site only.</item>
/// </list>
/// HSTS is sent on HTTPS only; behind a proxy, that is what <see cref="ForwardedHeaders"/> makes the request.
/// </summary>
public static class SecurityHeaders
{
    public const string Embeddable = "embeddable";

    public const string JobsDashboard = "jobs-dashboard";

    private const string EmailBody = "email-body";

    private static readonly object EmailBodyKey = new();

    public static IServiceCollection AddClientFlowSecurityHeaders(this IServiceCollection services)
    {
        services.AddSecurityHeaderPolicies()
            .SetDefaultPolicy(policy => Common(policy)
                .AddFrameOptionsDeny()
                .AddCrossOriginResourcePolicy(p => p.SameOrigin())
                .AddContentSecurityPolicy(csp => PageSources(csp).AddFrameAncestors().None()))
            .AddPolicy(Embeddable, policy => Common(policy)
                .AddCrossOriginResourcePolicy(p => p.CrossOrigin())
                .AddContentSecurityPolicy(csp => PageSources(csp).AddFrameAncestors().From("*")))
            .AddPolicy(JobsDashboard, policy => Common(policy)
                .AddFrameOptionsDeny()
                .AddCrossOriginResourcePolicy(p => p.SameOrigin())
                .AddContentSecurityPolicy(csp =>
                {
                    PageSources(csp).AddFrameAncestors().None();
                    csp.AddStyleSrc().Self().UnsafeInline();
                }))
            .AddPolicy(EmailBody, policy => Common(policy)
                .AddFrameOptionsSameOrigin()
                .AddCrossOriginResourcePolicy(p => p.SameOrigin())
                .AddContentSecurityPolicy(csp =>
                {
                    csp.AddDefaultSrc().None();
                    csp.AddStyleSrc().UnsafeInline().From("https:");
                    csp.AddImgSrc().From("https:").From("http:").Data();
                    csp.AddFontSrc().From("https:").Data();
                    csp.AddFormAction().None();
                    csp.AddBaseUri().None();
                    csp.AddSandbox();
                    csp.AddFrameAncestors().Self();
                }))
            .SetPolicySelector(context => context.HttpContext.Items.ContainsKey(EmailBodyKey)
                ? context.ConfiguredPolicies[EmailBody]
                : context.SelectedPolicy);
        return services;
    }

    /// <summary>This response is a rendered email: it gets the email policy instead of the page's.</summary>
    public static void MarkEmailBody(HttpContext context) => context.Items[EmailBodyKey] = true;

    private static HeaderPolicyCollection Common(HeaderPolicyCollection policy) => policy
        .AddContentTypeOptionsNoSniff()
        .AddReferrerPolicyStrictOriginWhenCrossOrigin()
        .AddStrictTransportSecurityMaxAge(maxAgeInSeconds: 60 * 60 * 24 * 365)
        .AddCrossOriginOpenerPolicy(p => p.SameOrigin())
        .RemoveServerHeader()
        .AddPermissionsPolicy(permissions =>
        {
            permissions.AddAccelerometer().None();
            permissions.AddCamera().None();
            permissions.AddGeolocation().None();
            permissions.AddGyroscope().None();
            permissions.AddMagnetometer().None();
            permissions.AddMicrophone().None();
            permissions.AddPayment().None();
            permissions.AddUsb().None();
        });

    private static CspBuilder PageSources(CspBuilder csp)
    {
        csp.AddDefaultSrc().Self();
        csp.AddScriptSrc().Self();
        csp.AddStyleSrc().Self();
        // Bootstrap's stylesheet draws some controls with data: SVG images.
        csp.AddImgSrc().Self().Data();
        csp.AddFontSrc().Self();
        csp.AddConnectSrc().Self();
        csp.AddFrameSrc().Self();
        csp.AddObjectSrc().None();
        csp.AddBaseUri().Self();
        csp.AddFormAction().Self();
        return csp;
    }
}
