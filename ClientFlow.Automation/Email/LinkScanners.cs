namespace ClientFlow.Automation.Email;

/// <summary>User agents of mail security gateways and link previewers that open and click on their own.</summary>
public static class LinkScanners
{
    private static readonly string[] Signatures =
    [
        "barracuda", "proofpoint", "mimecast", "safelinks", "urldefense", "google-safety", "bingpreview",
        "symantec", "trendmicro", "forcepoint", "zscaler", "sophos",
        "fireeye", "cisco", "headlesschrome", "phantomjs", "python-requests", "go-http-client", "slackbot",
        "linkedinbot", "facebookexternalhit", "twitterbot", "skypeuripreview", "whatsapp",
    ];

    /// <summary>
    /// Microsoft Office itself: Outlook for Windows fetches a message's images as "Microsoft Office/16.0 (… Microsoft
    /// Outlook …)" or "ms-office; MSOffice 16" when a person opens it, but Office apps also check a link before
    /// following it ("Microsoft Office Existence Discovery"). So an open with this agent is a person's; a click is not.
    /// </summary>
    private static readonly string[] Office = ["microsoft office", "ms-office", "msoffice"];

    /// <summary>An open pixel fetched by a machine, not by a person reading the email.</summary>
    public static bool IsMachineOpen(string? userAgent) => Matches(userAgent, Signatures);

    /// <summary>A link followed by a machine (a scanner, a previewer, Office checking the link), not by a person.</summary>
    public static bool IsMachineClick(string? userAgent) => Matches(userAgent, Signatures) || Matches(userAgent, Office);

    private static bool Matches(string? userAgent, string[] signatures) =>
        !string.IsNullOrWhiteSpace(userAgent) && signatures.Any(s => userAgent.Contains(s, StringComparison.OrdinalIgnoreCase));
}
