using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Automation.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Automation.Conversions;

/// <summary>
/// Broker postbacks: taken in through the inbox (stored, answered, then processed once by a job) and settled on the lead
/// whose <c>ref</c> is the sub-id. An event is counted once per connection, event and <c>txid</c> (or <c>uid</c>); a
/// repeat changes nothing; a reversal takes back the event with its <c>txid</c>, whichever arrives first; the lead's
/// ladder (registered, funded, qualified, active) is read again from all its events after each one, so order does not
/// matter. A sub-id no lead has is kept as unmatched, for the IB to match by hand.
/// </summary>
public sealed class Postbacks(ClientFlowDbContext db, TenantScope tenantScope, LeadTagging tagging, Enrolments enrolments, AfterCommit afterCommit, TimeProvider clock)
{
    public const int MaxFields = 50;
    public const int MaxValueLength = 500;
    public const string FundedTag = "funded";

    /// <summary>The connection whose postback URL carries this token, or null. A cross-tenant read of one row by its token's hash.</summary>
    public async Task<BrokerConnection?> FindConnectionAsync(string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100)
        {
            return null;
        }

        var hash = ApiKey.Hash(token);
        using (db.ReadAcrossTenants())
        {
            var connection = await db.BrokerConnections.IgnoreQueryFilters([ClientFlowDbContext.TenantFilter]).AsNoTracking()
                .SingleOrDefaultAsync(c => c.TokenHash == hash, cancellationToken);
            return connection is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(connection.TokenHash), Encoding.ASCII.GetBytes(hash))
                ? connection
                : null;
        }
    }

    /// <summary>Whether the caller's address may post for the connection (its allowlist of addresses and CIDR ranges; empty: any).</summary>
    public static bool IsAllowed(BrokerConnection connection, IPAddress? caller)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (string.IsNullOrWhiteSpace(connection.AllowedIps))
        {
            return true;
        }

        if (caller is null)
        {
            return false;
        }

        caller = caller.IsIPv4MappedToIPv6 ? caller.MapToIPv4() : caller;
        foreach (var entry in connection.AllowedIps.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if ((IPNetwork.TryParse(entry, out var network) && network.Contains(caller)) || (IPAddress.TryParse(entry, out var single) && single.Equals(caller)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A well-formed allowlist: addresses or CIDR ranges, comma-separated.</summary>
    public static bool IsAllowlist(string? value) =>
        string.IsNullOrWhiteSpace(value)
        || value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).All(e => IPNetwork.TryParse(e, out _) || IPAddress.TryParse(e, out _));

    /// <summary>
    /// The postback as the inbox stores it. Its message id is the connection, event and <c>txid</c> (or <c>uid</c>), so a
    /// platform's retry of one event is stored once; a postback with neither is stored each time.
    /// </summary>
    public static InboundEvent ToInbound(BrokerConnection connection, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var @event = BrokerPresets.Read(values, connection.Platform, BrokerPresets.Fields.Event);
        var kind = BrokerPresets.KindOf(@event, BrokerPresets.Read(values, connection.Platform, BrokerPresets.Fields.Status));
        var key = DedupeKey(values, connection.Platform);
        var messageId = key is null || kind is null
            ? Guid.NewGuid().ToString("N")
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{connection.Id:N}|{kind}|{key}")));
        return new InboundEvent
        {
            Source = InboundSource.BrokerPostback,
            TenantId = connection.TenantId,
            MessageId = messageId,
            EventType = kind is { } known ? BrokerPresets.EventName(known) : Truncate(@event ?? "(none)", 64),
            Body = JsonSerializer.Serialize(new PostbackBody(connection.Id, values)),
        };
    }

    /// <summary>Processes a stored postback in its IB's scope; the inbox records the outcome.</summary>
    public async Task<(InboundStatus Status, string Outcome)> ProcessAsync(InboundEvent inbound, JsonNode? body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inbound);
        var postback = body?.Deserialize<PostbackBody>();
        if (postback is null || inbound.TenantId is not { } tenantId)
        {
            return (InboundStatus.Rejected, "Not a postback.");
        }

        using (tenantScope.Enter(tenantId))
        {
            // One connection's postbacks are settled one at a time, on every node: writing the connection row first takes
            // its lock until commit, so a reversal and the event it names, arriving together, see each other.
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var now = clock.GetUtcNow();
            if (await db.BrokerConnections.Where(c => c.Id == postback.ConnectionId).ExecuteUpdateAsync(s => s.SetProperty(c => c.LastPostbackAt, now), cancellationToken) == 0)
            {
                return (InboundStatus.Ignored, "The broker connection was deleted.");
            }

            var connection = await db.BrokerConnections.AsNoTracking().SingleAsync(c => c.Id == postback.ConnectionId, cancellationToken);

            string? Read(string field) => BrokerPresets.Read(postback.Values, connection.Platform, field);
            var subId = Read(BrokerPresets.Fields.SubId);
            var rawEvent = Read(BrokerPresets.Fields.Event);
            var kind = BrokerPresets.KindOf(rawEvent, Read(BrokerPresets.Fields.Status));
            if (subId is null)
            {
                return (InboundStatus.Rejected, $"No sub-id: the postback must carry subid (or {BrokerPresets.For(connection.Platform).SubIdParameter}).");
            }

            if (kind is not { } eventKind)
            {
                return (InboundStatus.Rejected, $"Unknown event \"{rawEvent}\": use registration, ftd, deposit, qualified or reversal.");
            }

            var amountText = Read(BrokerPresets.Fields.Amount);
            decimal? amount = decimal.TryParse(amountText, NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed) && parsed is >= 0 and < 1_000_000_000_000m ? decimal.Round(parsed, 2) : null;
            var txId = Read(BrokerPresets.Fields.TxId) is { } tx ? Truncate(tx, 200) : null;
            var uid = Read(BrokerPresets.Fields.Uid) is { } u ? Truncate(u, 200) : null;
            var key = DedupeKey(postback.Values, connection.Platform);
            if (key is not null && await db.BrokerEvents.AnyAsync(e => e.ConnectionId == connection.Id && e.Kind == eventKind && e.DedupeKey == key, cancellationToken))
            {
                return (InboundStatus.Processed, $"A repeat of {BrokerPresets.EventName(eventKind)} {key}: counted once.");
            }

            var lead = await db.Leads.Include(l => l.Tags).SingleOrDefaultAsync(l => l.Ref == subId, cancellationToken);
            var brokerEvent = new BrokerEvent
            {
                ConnectionId = connection.Id,
                LeadId = lead?.Id,
                SubId = Truncate(subId, 100),
                Kind = eventKind,
                Amount = amount,
                Currency = Read(BrokerPresets.Fields.Currency) is { } currency ? Truncate(currency.ToUpperInvariant(), 10) : null,
                TxId = txId,
                Uid = uid,
                DedupeKey = key,
                ReceivedAt = now,
            };

            if (key is not null)
            {
                // A reversal takes back what it names, and an event whose reversal came first arrives taken back.
                if (eventKind == BrokerEventKind.Reversal)
                {
                    await db.BrokerEvents.Where(e => e.ConnectionId == connection.Id && e.Kind != BrokerEventKind.Reversal && e.DedupeKey == key)
                        .ExecuteUpdateAsync(s => s.SetProperty(e => e.Reversed, true), cancellationToken);
                }
                else
                {
                    brokerEvent.Reversed = await db.BrokerEvents.AnyAsync(e => e.ConnectionId == connection.Id && e.Kind == BrokerEventKind.Reversal && e.DedupeKey == key, cancellationToken);
                }
            }

            db.BrokerEvents.Add(brokerEvent);
            await db.SaveChangesAsync(cancellationToken);
            if (lead is null)
            {
                await transaction.CommitAsync(cancellationToken);
                return (InboundStatus.Processed, $"Unmatched: no lead has the sub-id \"{subId}\"; kept for the IB to match.");
            }

            var affected = eventKind == BrokerEventKind.Reversal
                ? await db.BrokerEvents.Where(e => e.ConnectionId == connection.Id && e.DedupeKey == key && e.LeadId != null).Select(e => e.LeadId!.Value).Distinct().ToListAsync(cancellationToken)
                : [lead.Id];
            foreach (var leadId in affected.Append(lead.Id).Distinct())
            {
                var settled = leadId == lead.Id ? lead : await db.Leads.Include(l => l.Tags).SingleAsync(l => l.Id == leadId, cancellationToken);
                await SettleAsync(settled, cancellationToken);
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            afterCommit.Flush();
            return (InboundStatus.Processed, $"{BrokerPresets.EventName(eventKind)} for {lead.Email}{(brokerEvent.Reversed ? " (already reversed)" : string.Empty)}: now {lead.Stage}.");
        }
    }

    /// <summary>Matches an unmatched postback to one of the IB's leads by hand, and settles that lead.</summary>
    public async Task<Lead?> MatchAsync(Guid eventId, string email, CancellationToken cancellationToken)
    {
        var brokerEvent = await db.BrokerEvents.SingleOrDefaultAsync(e => e.Id == eventId && e.LeadId == null, cancellationToken);
        var normalized = LeadInputRules.Normalize(new LeadInput { Email = email }).Email;
        var lead = brokerEvent is null || normalized is null ? null : await db.Leads.Include(l => l.Tags).SingleOrDefaultAsync(l => l.Email == normalized, cancellationToken);
        if (brokerEvent is null || lead is null)
        {
            return null;
        }

        brokerEvent.LeadId = lead.Id;
        await db.SaveChangesAsync(cancellationToken);
        await SettleAsync(lead, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        afterCommit.Flush();
        return lead;
    }

    /// <summary>
    /// Reads the lead's ladder again from all its events that stand (not reversals, not reversed), and enrols it in the
    /// workflows triggered by each stage it reaches now for the first time (again after a reversal took the stage back).
    /// </summary>
    private async Task SettleAsync(Lead lead, CancellationToken cancellationToken)
    {
        var before = (lead.RegisteredAt, lead.FundedAt, lead.QualifiedAt);
        var events = await db.BrokerEvents.AsNoTracking()
            .Where(e => e.LeadId == lead.Id && !e.Reversed && e.Kind != BrokerEventKind.Reversal)
            .ToListAsync(cancellationToken);
        var ordered = events.OrderBy(e => e.ReceivedAt).ToList();
        var ftd = ordered.FirstOrDefault(e => e.Kind == BrokerEventKind.Ftd);
        lead.RegisteredAt = ordered.FirstOrDefault()?.ReceivedAt;
        lead.FundedAt = ftd?.ReceivedAt;
        lead.FtdAmount = ftd?.Amount;
        lead.FtdCurrency = ftd?.Currency;
        lead.QualifiedAt = ordered.FirstOrDefault(e => e.Kind == BrokerEventKind.Qualified)?.ReceivedAt;
        var deposit = ordered.FirstOrDefault(e => e.Kind == BrokerEventKind.Deposit);
        lead.ActiveAt = ftd is not null && deposit is not null ? (deposit.ReceivedAt > ftd.ReceivedAt ? deposit.ReceivedAt : ftd.ReceivedAt) : null;

        // The funded tag follows the ladder, so a Systeme.io automation or a workflow on it sees the FTD (and its reversal).
        var tagged = lead.Tags.Any(t => t.Slug == FundedTag);
        if (lead.FundedAt is not null && !tagged)
        {
            await tagging.AddAsync(lead, [FundedTag], cancellationToken);
        }
        else if (lead.FundedAt is null && tagged)
        {
            tagging.Remove(lead, FundedTag);
        }

        var reached = new List<BrokerEventKind>();
        if (before.RegisteredAt is null && lead.RegisteredAt is not null)
        {
            reached.Add(BrokerEventKind.Registration);
        }

        if (before.FundedAt is null && lead.FundedAt is not null)
        {
            reached.Add(BrokerEventKind.Ftd);
        }

        if (before.QualifiedAt is null && lead.QualifiedAt is not null)
        {
            reached.Add(BrokerEventKind.Qualified);
        }

        await enrolments.OnBrokerEventsAsync(lead, reached, cancellationToken);
    }

    private static string? DedupeKey(IReadOnlyDictionary<string, string> values, BrokerPlatform platform) =>
        BrokerPresets.Read(values, platform, BrokerPresets.Fields.TxId) is { } tx ? $"t:{Truncate(tx, 200)}"
        : BrokerPresets.Read(values, platform, BrokerPresets.Fields.Uid) is { } uid ? $"u:{Truncate(uid, 200)}" : null;

    private static string Truncate(string value, int length) => value.Length > length ? value[..length] : value;

    /// <summary>What the inbox keeps of a postback: its connection and every field it carried.</summary>
    public sealed record PostbackBody(
        [property: System.Text.Json.Serialization.JsonPropertyName("connection_id")] Guid ConnectionId,
        [property: System.Text.Json.Serialization.JsonPropertyName("values")] IReadOnlyDictionary<string, string> Values);
}
