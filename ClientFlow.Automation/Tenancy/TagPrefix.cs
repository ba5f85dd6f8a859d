using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace ClientFlow.Automation.Tenancy;

/// <summary>The tenant tag prefix: <c>ib-</c>, eight characters of <c>[a-z0-9]</c>, <c>-</c>.</summary>
public static partial class TagPrefix
{
    public const int RandomLength = 8;
    public const int Length = 3 + RandomLength + 1;
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>A new prefix from the cryptographic random number generator.</summary>
    public static string Generate() => $"ib-{RandomNumberGenerator.GetString(Alphabet, RandomLength)}-";

    public static bool IsValid(string? prefix) => prefix is not null && Pattern().IsMatch(prefix);

    /// <summary>True for a tag written with an IB prefix (<c>ib-b9z5n4p8-hot-lead</c>): tags are written bare.</summary>
    public static bool LooksPrefixed(string tag) => PrefixedTag().IsMatch(tag);

    [GeneratedRegex("^ib-[a-z0-9]{8}-.", RegexOptions.CultureInvariant)]
    private static partial Regex PrefixedTag();

    [GeneratedRegex("^ib-[a-z0-9]{8}-$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
