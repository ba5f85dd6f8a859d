using System.Security.Cryptography;
using System.Text;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Automation.Webhooks;

/// <summary>
/// Per-IB webhook URLs for Systeme.io workflow actions: <c>/webhooks/systeme/t/{token}</c>. The token is
/// shown once and stored as SHA-256; a request's token is hashed and compared in constant time.
/// </summary>
public sealed class WebhookTokens(ClientFlowDbContext db)
{
    /// <summary>Gives the tenant a new token (the old URL stops working) and returns it; the caller saves.</summary>
    public static string Issue(Tenant tenant)
    {
        var token = RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 40);
        tenant.WebhookTokenHash = Hash(token);
        return token;
    }

    private static string Hash(string token) => ApiKey.Hash(token);

    /// <summary>The tenant whose URL carries this token, or null.</summary>
    public async Task<Guid?> FindTenantAsync(string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100)
        {
            return null;
        }

        var hash = Hash(token);
        var tenant = await db.Tenants.AsNoTracking().Where(t => t.WebhookTokenHash == hash).Select(t => new { t.Id, t.WebhookTokenHash }).SingleOrDefaultAsync(cancellationToken);
        return tenant is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(tenant.WebhookTokenHash!), Encoding.ASCII.GetBytes(hash))
            ? tenant.Id
            : null;
    }
}
