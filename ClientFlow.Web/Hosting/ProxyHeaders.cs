using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace ClientFlow.Web.Hosting;

/// <summary>
/// Behind a reverse proxy, the client's address, scheme and host come from <c>X-Forwarded-For</c>, <c>-Proto</c> and
/// <c>-Host</c>, believed only from the proxies in <c>App:KnownProxies</c> and <c>App:KnownNetworks</c> (ASP.NET Core's
/// own middleware; its default of trusting loopback is cleared). So the hosted form's rate limit counts each visitor,
/// not the proxy; HTTPS ends at the proxy yet the request is HTTPS, so cookies are Secure and HSTS is sent; and links
/// use the host the visitor asked for. With neither setting, forwarded headers are ignored: anyone could send them.
/// </summary>
public static class ProxyHeaders
{
    public static IServiceCollection AddClientFlowProxyHeaders(this IServiceCollection services)
    {
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<AppOptions>>((options, app) =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in app.Value.Proxies)
            {
                options.KnownProxies.Add(proxy);
            }

            foreach (var network in app.Value.Networks)
            {
                options.KnownIPNetworks.Add(network);
            }

            // A chain of known proxies is unwound to the first address none of them is.
            options.ForwardLimit = null;
        });
        return services;
    }
}
