using System.Security.Cryptography;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Automation.Conversions;

/// <summary>An IB's broker connections: created with a postback token shown once (stored hashed), and rotated.</summary>
public sealed class BrokerConnections(ClientFlowDbContext db, TimeProvider clock)
{
    /// <summary>Connections per IB, like the other resources' limits.</summary>
    public const int MaxPerTenant = 10;

    /// <summary>The field errors of a connection's input; empty when it may be saved.</summary>
    public async Task<Dictionary<string, string>> ProblemsAsync(Guid? id, string? name, BrokerPlatform platform, string? referralLink, string? allowedIps, CancellationToken cancellationToken)
    {
        var problems = new Dictionary<string, string>();
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > BrokerConnection.MaxNameLength || name.Any(char.IsControl))
        {
            problems["Name"] = $"Name the broker in one line of at most {BrokerConnection.MaxNameLength} characters, such as XM or Exness.";
        }
        else if (await db.BrokerConnections.AnyAsync(c => c.Name == name.Trim() && c.Id != id, cancellationToken))
        {
            problems["Name"] = "You already have a connection with this name.";
        }

        if (!Enum.IsDefined(platform))
        {
            problems["Platform"] = "Choose the broker's affiliate platform, or Custom.";
        }

        var link = referralLink?.Trim();
        if (link is null || link.Length > BrokerConnection.MaxLinkLength
            || !Uri.TryCreate(link.Replace(BrokerConnection.SubIdPlaceholder, "x", StringComparison.Ordinal), UriKind.Absolute, out var uri)
            || uri.Scheme is not ("https" or "http"))
        {
            problems["ReferralLink"] = "Paste your referral link from the broker's partner area: an absolute http(s) address.";
        }
        else if (!link.Contains(BrokerConnection.SubIdPlaceholder, StringComparison.Ordinal))
        {
            problems["ReferralLink"] = $"Put {BrokerConnection.SubIdPlaceholder} where the lead's sub-id goes, for example ?{BrokerPresets.For(platform).SubIdParameter}={BrokerConnection.SubIdPlaceholder}.";
        }

        if (!Postbacks.IsAllowlist(allowedIps) || allowedIps?.Length > BrokerConnection.MaxAllowedIpsLength)
        {
            problems["AllowedIps"] = "List addresses or ranges separated by commas, such as 203.0.113.7, 198.51.100.0/24; or leave it empty.";
        }

        if (id is null && await db.BrokerConnections.CountAsync(cancellationToken) >= MaxPerTenant)
        {
            problems[string.Empty] = $"You have {MaxPerTenant} broker connections, the most an account may have. Delete one to add another.";
        }

        return problems;
    }

    /// <summary>Adds a connection (input already checked) and returns it with its postback token, shown this once.</summary>
    public async Task<(BrokerConnection Connection, string Token)> CreateAsync(string name, BrokerPlatform platform, string referralLink, string? allowedIps, CancellationToken cancellationToken)
    {
        var token = NewToken();
        var connection = new BrokerConnection
        {
            Name = name.Trim(),
            Platform = platform,
            ReferralLink = referralLink.Trim(),
            AllowedIps = string.IsNullOrWhiteSpace(allowedIps) ? null : allowedIps.Trim(),
            TokenHash = ApiKey.Hash(token),
            CreatedAt = clock.GetUtcNow(),
        };
        db.BrokerConnections.Add(connection);
        await db.SaveChangesAsync(cancellationToken);
        return (connection, token);
    }

    /// <summary>Gives the connection a new postback token (the old URL stops working); null when the IB has no such connection.</summary>
    public async Task<(BrokerConnection Connection, string Token)?> RotateAsync(Guid id, CancellationToken cancellationToken)
    {
        var connection = await db.BrokerConnections.SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (connection is null)
        {
            return null;
        }

        var token = NewToken();
        connection.TokenHash = ApiKey.Hash(token);
        await db.SaveChangesAsync(cancellationToken);
        return (connection, token);
    }

    /// <summary>A connection whose postback token is a given value (the demo's, from configuration).</summary>
    public async Task<BrokerConnection> CreateWithTokenAsync(string name, BrokerPlatform platform, string referralLink, string token, CancellationToken cancellationToken)
    {
        var connection = new BrokerConnection { Name = name, Platform = platform, ReferralLink = referralLink, TokenHash = ApiKey.Hash(token), CreatedAt = clock.GetUtcNow() };
        db.BrokerConnections.Add(connection);
        await db.SaveChangesAsync(cancellationToken);
        return connection;
    }

    private static string NewToken() => RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 40);
}
