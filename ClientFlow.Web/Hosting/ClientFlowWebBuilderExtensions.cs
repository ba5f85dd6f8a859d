using ClientFlow.Automation;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Web.Authorization;
using ClientFlow.Web.Email;
using ClientFlow.Web.Tenancy;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.UI.Services;
using Serilog;

namespace ClientFlow.Web.Hosting;

public static class ClientFlowWebBuilderExtensions
{
    /// <summary>Everything the web host registers: logging, Automation, Identity, pages, Hangfire, health, metrics.</summary>
    public static WebApplicationBuilder AddClientFlowWeb(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        // One logger per host, never the process-wide Log.Logger: hosts side by side (tests, workers) keep their own sinks.
        services.AddSerilog(
            (sp, logger) => logger
                .ReadFrom.Configuration(configuration)
                .ReadFrom.Services(sp)
                .Enrich.FromLogContext(),
            preserveStaticLogger: true);

        services.AddClientFlowAutomation(configuration, builder.Environment.ContentRootPath);

        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.SectionName);
        services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.SectionName);
        services.AddScoped<DemoWorkflows>();
        services.AddOptions<AppOptions>().BindConfiguration(AppOptions.SectionName)
            .Validate(o => o.IsValid, "App:PublicBaseUrl must be empty or an absolute http(s) URL; App:KnownProxies IP addresses and App:KnownNetworks CIDR networks (10.0.0.0/8), separated by commas.")
            .ValidateOnStart();

        services.AddDefaultIdentity<ClientFlowUser>(options =>
            {
                options.SignIn.RequireConfirmedAccount = false;
                options.User.RequireUniqueEmail = true;
                options.Password.RequiredLength = 8;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<ClientFlowDbContext>()
            .AddClaimsPrincipalFactory<ClientFlowClaimsPrincipalFactory>();
        services.AddTransient<IEmailSender, AccountEmailSender>();
        services.AddScoped<ConfirmationEmails>();

        // Keys in the database: every app node reads the same ring, so cookies survive a move between nodes.
        services.AddDataProtection().SetApplicationName("ClientFlow").PersistKeysToDbContext<ClientFlowDbContext>();

        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddClientFlowPolicies();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, HideForbiddenResultHandler>();

        services.AddRazorPages(options =>
        {
            options.Conventions.ConfigureFilter(new NoHandlerFilter());
            options.Conventions.AuthorizeFolder("/Leads", Policies.Ib);
            options.Conventions.AuthorizePage("/Settings", Policies.Ib);
            options.Conventions.AuthorizeFolder("/Templates", Policies.Ib);
            options.Conventions.AuthorizeFolder("/Workflows", Policies.Ib);
            options.Conventions.AuthorizeFolder("/Outbox", Policies.Ib);
            options.Conventions.AuthorizeFolder("/Conversions", Policies.Ib);
            options.Conventions.AuthorizeFolder("/Admin", Policies.Admin);
        });

        services.AddClientFlowHangfire(configuration);
        services.AddHealthChecks().AddDbContextCheck<ClientFlowDbContext>("database");
        services.AddClientFlowMetrics();
        services.AddProblemDetails();
        services.AddClientFlowRateLimits(configuration);
        services.AddClientFlowSecurityHeaders();
        // Kestrel writes its Server header after the middleware has run: it is switched off here, not removed there.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        services.AddClientFlowProxyHeaders();
        // Cookies are Secure whenever the request is HTTPS (at the proxy too, through ProxyHeaders); the antiforgery
        // cookie's default is never.
        services.AddAntiforgery(options => options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        services.AddOpenApi(options => options.ShouldInclude = description => description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true);

        return builder;
    }
}
