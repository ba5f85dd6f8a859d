using System.Net;

namespace ClientFlow.Web.Hosting;

/// <summary>
/// <c>App:PublicBaseUrl</c>: the origin used in links that leave the app (form links, embed snippets);
/// <c>App:KnownProxies</c> and <c>App:KnownNetworks</c>: the reverse proxies whose forwarded headers are believed
/// (<see cref="ProxyHeaders"/>).
/// </summary>
public sealed class AppOptions
{
    public const string SectionName = "App";

    /// <summary>Empty: the origin of the current request.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Proxy addresses, separated by commas or spaces (<c>10.0.0.2, fd00::2</c>). Empty: no proxy is believed.</summary>
    public string? KnownProxies { get; set; }

    /// <summary>Proxy networks in CIDR form, separated by commas or spaces (<c>10.0.0.0/8</c>). Empty: none.</summary>
    public string? KnownNetworks { get; set; }

    public bool IsValid => (string.IsNullOrWhiteSpace(PublicBaseUrl)
        || (Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
        && Split(KnownProxies).All(p => IPAddress.TryParse(p, out _))
        && Split(KnownNetworks).All(n => IPNetwork.TryParse(n, out _));

    public IReadOnlyList<IPAddress> Proxies => [.. Split(KnownProxies).Select(IPAddress.Parse)];

    public IReadOnlyList<IPNetwork> Networks => [.. Split(KnownNetworks).Select(n => IPNetwork.Parse(n))];

    public string Origin(HttpRequest request) =>
        string.IsNullOrWhiteSpace(PublicBaseUrl) ? $"{request.Scheme}://{request.Host}" : PublicBaseUrl.TrimEnd('/');

    private static string[] Split(string? list) =>
        list?.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
}
