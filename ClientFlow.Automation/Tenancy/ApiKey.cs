using System.Security.Cryptography;
using System.Text;

namespace ClientFlow.Automation.Tenancy;

/// <summary>Tenant API keys: shown once, stored as a SHA-256 hash (the key has 256 bits of entropy, so no salt or stretching is needed).</summary>
public static class ApiKey
{
    public const string KeyPrefix = "cf_";

    public static string Generate() => KeyPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
