using System.Text.RegularExpressions;

namespace ClientFlow.Automation.Leads;

/// <summary>
/// The tag layer: IBs name tags as bare slugs (<c>demo-request</c>); only here are they joined with
/// the tenant prefix into the Systeme.io tag name (<c>ib-a7x3k2m1-demo-request</c>).
/// </summary>
public static partial class TagSlug
{
    /// <summary>Systeme.io tag names are kept to 64 characters; the prefix takes 12.</summary>
    public const int MaxLength = 50;

    public static bool IsValid(string? slug) => slug is { Length: > 0 and <= MaxLength } && Pattern().IsMatch(slug);

    public static string Qualify(string tagPrefix, string slug)
    {
        if (!IsValid(slug))
        {
            throw new ArgumentException($"'{slug}' is not a tag slug.", nameof(slug));
        }

        return tagPrefix + slug;
    }

    [GeneratedRegex("^[a-z0-9]+(?:-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
