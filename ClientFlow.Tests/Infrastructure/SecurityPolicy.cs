namespace ClientFlow.Tests.Infrastructure;

/// <summary>A response's <c>Content-Security-Policy</c> read as directives and their sources, and the checks the app's policies share.</summary>
public sealed class SecurityPolicy
{
    private readonly Dictionary<string, string[]> _directives;

    private SecurityPolicy(string header) =>
        _directives = header.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => d.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(parts => parts[0], parts => parts[1..], StringComparer.OrdinalIgnoreCase);

    public static SecurityPolicy Of(HttpResponseMessage response) =>
        new(Assert.Single(response.Headers.GetValues("Content-Security-Policy")));

    public bool Has(string directive) => _directives.ContainsKey(directive);

    /// <summary>The directive's sources; a missing directive has none.</summary>
    public IReadOnlyList<string> this[string directive] => _directives.TryGetValue(directive, out var sources) ? sources : [];

    /// <summary>A rendered email's policy: its own inline styles and remote images, no script or form, framed by this site only.</summary>
    public static void AssertEmailBody(HttpResponseMessage response)
    {
        var csp = Of(response);
        Assert.True(csp.Has("sandbox"), "an email body runs sandboxed");
        Assert.Equal(["'none'"], csp["default-src"]);
        Assert.False(csp.Has("script-src"), "no script may run in an email body");
        Assert.Contains("'unsafe-inline'", csp["style-src"]);
        Assert.Equal(["'self'"], csp["frame-ancestors"]);
        Assert.Equal("SAMEORIGIN", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }
}
