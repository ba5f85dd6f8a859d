namespace ClientFlow.Automation.Email;

/// <summary><c>App:PublicBaseUrl</c> as the engine needs it: the origin of links inside emails, rendered without a request.</summary>
public sealed class PublicUrlOptions
{
    public const string SectionName = "App";

    /// <summary>The local default of <c>dotnet run</c>; production sets <c>App:PublicBaseUrl</c> (start-up insists for SMTP).</summary>
    public const string LocalDefault = "http://localhost:5080";

    public string? PublicBaseUrl { get; set; }

    public string Origin => string.IsNullOrWhiteSpace(PublicBaseUrl) ? LocalDefault : PublicBaseUrl.TrimEnd('/');
}
