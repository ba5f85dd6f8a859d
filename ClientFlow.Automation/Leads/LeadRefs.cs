using System.Security.Cryptography;

namespace ClientFlow.Automation.Leads;

/// <summary>
/// A lead's <c>ref</c>: the sub-id its referral links carry and broker postbacks echo. Short, opaque and not guessable
/// (12 characters of a 32-letter alphabet, 60 random bits), never derived from the address.
/// </summary>
public static class LeadRefs
{
    public const int Length = 12;

    private const string Alphabet = "abcdefghijkmnpqrstuvwxyz23456789";

    public static string New() => RandomNumberGenerator.GetString(Alphabet, Length);
}
