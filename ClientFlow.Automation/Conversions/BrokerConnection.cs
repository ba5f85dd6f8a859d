using ClientFlow.Automation.Tenancy;

namespace ClientFlow.Automation.Conversions;

/// <summary>
/// One IB's link with one broker: the referral link its emails carry (with the lead's <c>ref</c> as the sub-id) and the
/// postback URL the broker's affiliate platform calls (<c>/postbacks/{token}</c>; the token is stored hashed).
/// </summary>
public sealed class BrokerConnection : ITenantOwned
{
    public const int MaxNameLength = 100;
    public const int MaxLinkLength = 2000;
    public const int MaxAllowedIpsLength = 500;

    /// <summary>Where the lead's sub-id goes in <see cref="ReferralLink"/>.</summary>
    public const string SubIdPlaceholder = "{subid}";

    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid TenantId { get; set; }

    public required string Name { get; set; }

    public BrokerPlatform Platform { get; set; }

    /// <summary>The IB's referral link at the broker, with <see cref="SubIdPlaceholder"/> where the lead's sub-id goes.</summary>
    public required string ReferralLink { get; set; }

    /// <summary>SHA-256 of the postback token; the token is shown once.</summary>
    public required string TokenHash { get; set; }

    /// <summary>Comma-separated addresses or CIDR ranges the postbacks must come from; empty: any.</summary>
    public string? AllowedIps { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the last postback was processed. Each processing writes it first, which serializes one connection's postbacks on every node.</summary>
    public DateTimeOffset? LastPostbackAt { get; set; }
}
