namespace ClientFlow.Web.Hosting;

/// <summary><c>App:PublicBaseUrl</c>: the origin used in links that leave the app (form links, embed snippets).</summary>
public sealed class AppOptions
{
    public const string SectionName = "App";

    /// <summary>Empty: the origin of the current request.</summary>
    public string? PublicBaseUrl { get; set; }

    public bool IsValid => string.IsNullOrWhiteSpace(PublicBaseUrl)
        || (Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps));

    public string Origin(HttpRequest request) =>
        string.IsNullOrWhiteSpace(PublicBaseUrl) ? $"{request.Scheme}://{request.Host}" : PublicBaseUrl.TrimEnd('/');
}
