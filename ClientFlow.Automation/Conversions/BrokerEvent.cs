using ClientFlow.Automation.Tenancy;

namespace ClientFlow.Automation.Conversions;

/// <summary>
/// One postback, processed: what the broker said about which sub-id. Unmatched while <see cref="LeadId"/> is null (no lead
/// of the IB has that <c>ref</c>); the IB can match it by hand. Counted once per connection, event and
/// <see cref="DedupeKey"/> (the <c>txid</c>, else the <c>uid</c>).
/// </summary>
public sealed class BrokerEvent : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid TenantId { get; set; }

    public Guid ConnectionId { get; set; }

    public Guid? LeadId { get; set; }

    public required string SubId { get; set; }

    public BrokerEventKind Kind { get; set; }

    public decimal? Amount { get; set; }

    public string? Currency { get; set; }

    public string? TxId { get; set; }

    public string? Uid { get; set; }

    /// <summary><c>t:{txid}</c> or <c>u:{uid}</c>; null when the postback carried neither (then it is not deduplicated).</summary>
    public string? DedupeKey { get; set; }

    /// <summary>A reversal with this event's <c>txid</c> took it back (it may have arrived first).</summary>
    public bool Reversed { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }
}
