using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ClientFlow.Automation.Email;

/// <summary>
/// Tracking links of a message: <c>/t/o/{token}</c> (open pixel), <c>/t/c/{token}/{n}</c> (the n-th
/// link; the targets stay in the message, so the redirect is never open to any URL),
/// <c>/u/{token}</c> (unsubscribe).
/// </summary>
public static partial class EmailTracking
{
    public static string NewToken() => RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 32);

    public static string OpenUrl(string origin, string token) => $"{origin}/t/o/{token}";

    public static string ClickUrl(string origin, string token, int index) => $"{origin}/t/c/{token}/{index}";

    public static string UnsubscribeUrl(string origin, string token) => $"{origin}/u/{token}";

    /// <summary>A tracked referral link: the message's token and the broker connection.</summary>
    public static string ReferralUrl(string origin, string token, Guid connectionId) => $"{origin}/r/{token}.{connectionId:N}";

    /// <summary>A connection's referral link with the lead's ref as its sub-id.</summary>
    public static string BrokerLink(string referralLink, string leadRef) =>
        referralLink.Replace(Conversions.BrokerConnection.SubIdPlaceholder, Uri.EscapeDataString(leadRef), StringComparison.Ordinal);

    /// <summary>Points every http(s) link at its click redirect, except our own unsubscribe and referral links (tracked already); returns the originals in order.</summary>
    public static (string Html, string LinksJson) RewriteLinks(string html, string origin, string token)
    {
        var links = new List<string>();
        var unsubscribe = UnsubscribeUrl(origin, token);
        var referral = $"{origin}/r/{token}.";
        var rewritten = Href().Replace(html, match =>
        {
            var target = System.Net.WebUtility.HtmlDecode(match.Groups["url"].Value);
            if (target.StartsWith(unsubscribe, StringComparison.Ordinal) || target.StartsWith(referral, StringComparison.Ordinal))
            {
                return match.Value;
            }

            links.Add(target);
            var quote = match.Groups["q"].Value;
            return $"href={quote}{ClickUrl(origin, token, links.Count - 1)}{quote}";
        });
        return (rewritten, JsonSerializer.Serialize(links));
    }

    public static string? Link(EmailMessage message, int index)
    {
        var links = JsonSerializer.Deserialize<List<string>>(message.LinksJson) ?? [];
        return index >= 0 && index < links.Count ? links[index] : null;
    }

    [GeneratedRegex("""href\s*=\s*(?<q>["'])(?<url>https?://[^"'\s>]+)\k<q>""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Href();
}
