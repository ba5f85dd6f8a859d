namespace ClientFlow.Web.Hosting;

/// <summary>
/// <c>Metrics:ScrapeToken</c>: the bearer token a Prometheus server sends to <c>/metrics</c>, since it cannot sign in.
/// Empty: only signed-in admins read the metrics.
/// </summary>
public sealed class MetricsOptions
{
    public const string SectionName = "Metrics";

    /// <summary>Shorter than this a token could be guessed; <c>openssl rand -hex 32</c> gives 64 characters.</summary>
    public const int MinTokenLength = 32;

    public string? ScrapeToken { get; set; }

    public bool HasScrapeToken => !string.IsNullOrWhiteSpace(ScrapeToken);

    public bool IsValid => !HasScrapeToken || ScrapeToken!.Length >= MinTokenLength;
}
