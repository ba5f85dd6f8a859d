using System.Security.Cryptography;

namespace ClientFlow.Automation.Tenancy;

/// <summary>Hosted form keys: 16 characters of <c>[a-z0-9]</c> (82 bits) from the cryptographic RNG.</summary>
public static class FormKeys
{
    public const int Length = 16;

    public static string Generate() => RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", Length);
}
