using System.Net;
using ClientFlow.Tests.Infrastructure;
using ClientFlow.Tests.Integration.Leads;

namespace ClientFlow.Tests.Integration.Security;

/// <summary>
/// Behind a reverse proxy on Kestrel (real sockets, so the proxy's address is the connection's): forwarded headers are
/// believed from the proxies in <c>App:KnownProxies</c> only. From a known proxy, HTTPS at the proxy makes the request
/// HTTPS (HSTS, Secure cookies), each forwarded client has its own form allowance, and links use the forwarded host;
/// with no proxy configured, the same headers change nothing.
/// </summary>
public sealed class ProxyHeadersTests : IAsyncLifetime
{
    private const int SubmissionsPerMinute = 2;

    private readonly SqliteTestDatabase _behindProxyDatabase = new();
    private readonly SqliteTestDatabase _directDatabase = new();
    private ClientFlowAppFactory _behindProxy = null!;
    private ClientFlowAppFactory _direct = null!;

    public async ValueTask InitializeAsync()
    {
        _behindProxy = Start(_behindProxyDatabase, new() { ["App:KnownProxies"] = "127.0.0.1, ::1" });
        _direct = Start(_directDatabase, []);
        await _behindProxy.StartAsync();
        await _direct.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _behindProxy.DisposeAsync();
        await _direct.DisposeAsync();
        await _behindProxyDatabase.DisposeAsync();
        await _directDatabase.DisposeAsync();
    }

    [Fact]
    public async Task FromAKnownProxy_TheForwardedSchemeClientAndHost_AreTheRequests()
    {
        using var http = Client(_behindProxy);

        using (var secure = await GetAsync(http, "/Identity/Account/Login", ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "leads.example.com")))
        {
            Assert.Contains("max-age=31536000", Assert.Single(secure.Headers.GetValues("Strict-Transport-Security")), StringComparison.Ordinal);
            Assert.False(secure.Headers.Contains("Server"), "Kestrel names itself in no Server header");
            Assert.All(CookiesSet(secure), cookie => Assert.Contains("; secure", cookie, StringComparison.OrdinalIgnoreCase));
        }

        var ib = await _behindProxy.SeedIbAsync("proxy@security.test", "Proxy IB");
        Assert.Equal([HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.TooManyRequests], await SubmitAsync(http, ib, "203.0.113.10", SubmissionsPerMinute + 1));
        Assert.Equal([HttpStatusCode.Redirect], await SubmitAsync(http, ib, "203.0.113.11", 1));

        Assert.Equal($"http://leads.example.com/f/{ib.FormKey}", await FormLinkAsync(_behindProxy, ib));
    }

    [Fact]
    public async Task WithNoProxyConfigured_ForwardedHeadersChangeNothing()
    {
        using var http = Client(_direct);

        using (var plain = await GetAsync(http, "/Identity/Account/Login", ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "leads.example.com")))
        {
            Assert.False(plain.Headers.Contains("Strict-Transport-Security"), "a forged X-Forwarded-Proto is not HTTPS");
            Assert.All(CookiesSet(plain), cookie => Assert.DoesNotContain("; secure", cookie, StringComparison.OrdinalIgnoreCase));
        }

        // Every forged client address is the one connection's: they share its allowance.
        var ib = await _direct.SeedIbAsync("direct@security.test", "Direct IB");
        Assert.Equal([HttpStatusCode.Redirect, HttpStatusCode.Redirect], await SubmitAsync(http, ib, "203.0.113.20", SubmissionsPerMinute));
        Assert.Equal([HttpStatusCode.TooManyRequests], await SubmitAsync(http, ib, "203.0.113.21", 1));

        Assert.Equal($"{_direct.ClientOptions.BaseAddress.GetLeftPart(UriPartial.Authority)}/f/{ib.FormKey}", await FormLinkAsync(_direct, ib));
    }

    private static ClientFlowAppFactory Start(SqliteTestDatabase database, Dictionary<string, string?> settings)
    {
        settings["Capture:FormSubmissionsPerMinute"] = SubmissionsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var app = new ClientFlowAppFactory(database, settings: settings);
        app.UseKestrel(0);
        app.StartServer();
        return app;
    }

    private static HttpClient Client(ClientFlowAppFactory app) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = app.ClientOptions.BaseAddress };

    private static async Task<HttpResponseMessage> GetAsync(HttpClient http, string url, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return await http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>The cookies a response sets (the login page's antiforgery cookie among them), not those it clears.</summary>
    private static List<string> CookiesSet(HttpResponseMessage response)
    {
        var set = response.Headers.GetValues("Set-Cookie").Where(c => !c.Contains("=;", StringComparison.Ordinal)).ToList();
        Assert.Contains(set, c => c.StartsWith(".AspNetCore.Antiforgery.", StringComparison.Ordinal));
        return set;
    }

    private static async Task<List<HttpStatusCode>> SubmitAsync(HttpClient http, SeededIb ib, string clientAddress, int times)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < times; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/f/{ib.FormKey}")
            {
                Content = new FormUrlEncodedContent(HostedFormTests.Fields($"visitor{clientAddress}-{i}@example.com")),
            };
            request.Headers.Add("X-Forwarded-For", clientAddress);
            using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
            statuses.Add(response.StatusCode);
        }

        return statuses;
    }

    /// <summary>The IB's form link on /Settings, read through a proxy that forwards the host leads.example.com.</summary>
    private static async Task<string?> FormLinkAsync(ClientFlowAppFactory app, SeededIb ib)
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
        using var http = new HttpClient(handler) { BaseAddress = app.ClientOptions.BaseAddress };
        http.DefaultRequestHeaders.Add("X-Forwarded-Host", "leads.example.com");
        using var client = new PageClient(http);
        await client.LogInOrFailAsync(ib.Email);
        var settings = await client.GetDocumentAsync("/Settings");
        return settings.QuerySelector("[data-testid=form-link]")?.TextContent;
    }
}
