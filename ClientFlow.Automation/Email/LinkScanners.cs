namespace ClientFlow.Automation.Email;

/// <summary>User agents of mail security gateways and link previewers that open and click on their own.</summary>
public static class LinkScanners
{
    private static readonly string[] Signatures =
    [
        "barracuda", "proofpoint", "mimecast", "safelinks", "urldefense", "google-safety", "bingpreview",
        "microsoft office", "ms-office", "symantec", "trendmicro", "forcepoint", "zscaler", "sophos",
        "fireeye", "cisco", "headlesschrome", "phantomjs", "python-requests", "go-http-client", "slackbot",
        "linkedinbot", "facebookexternalhit", "twitterbot", "skypeuripreview", "whatsapp",
    ];

    public static bool IsScanner(string? userAgent) =>
        !string.IsNullOrWhiteSpace(userAgent) && Signatures.Any(s => userAgent.Contains(s, StringComparison.OrdinalIgnoreCase));
}
