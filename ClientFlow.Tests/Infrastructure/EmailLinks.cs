using System.Text.RegularExpressions;

namespace ClientFlow.Tests.Infrastructure;

/// <summary>Links read out of a composed email's HTML, as a mail client would find them.</summary>
public static partial class EmailLinks
{
    /// <summary>The first tracked referral link (<c>…/r/{token}.{connection}</c>) in the email, as written; null when there is none.</summary>
    public static string? Referral(string html) => ReferralHref().Match(html) is { Success: true } match ? match.Groups["url"].Value : null;

    [GeneratedRegex(@"href=""(?<url>[^""]*/r/[^""]+)""", RegexOptions.None, 1000)]
    private static partial Regex ReferralHref();
}
