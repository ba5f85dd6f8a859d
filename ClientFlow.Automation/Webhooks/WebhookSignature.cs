using System.Security.Cryptography;
using System.Text;

namespace ClientFlow.Automation.Webhooks;

/// <summary>Systeme.io's webhook signature: lowercase hex HMAC-SHA256 of the raw body, keyed with the shared secret.</summary>
public static class WebhookSignature
{
    public static string Compute(string secret, ReadOnlySpan<byte> body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>Constant-time: the comparison takes as long for a near miss as for garbage.</summary>
    public static bool IsValid(string? secret, ReadOnlySpan<byte> body, string? signature)
    {
        if (string.IsNullOrEmpty(secret) || string.IsNullOrEmpty(signature) || signature.Length != 64)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Compute(secret, body));
        var given = Encoding.ASCII.GetBytes(signature);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}
