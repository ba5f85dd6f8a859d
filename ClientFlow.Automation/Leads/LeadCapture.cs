using ClientFlow.Automation.Counters;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Outbox;
using ClientFlow.Automation.Systeme;
using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Leads;

/// <summary>
/// The one way a lead enters ClientFlow, for every path (form, API, manual, CSV). In one
/// transaction per batch it serializes on the tenant row (so the lead limit is exact), claims the
/// email platform-wide (the exclusive policy), stores the lead with its capture tags, and writes the
/// outbox row that will sync it to Systeme.io. Nothing reaches Systeme.io before the commit, and
/// nothing committed is lost if Systeme.io is down.
/// </summary>
public sealed class LeadCapture(
    ClientFlowDbContext db,
    TenantScope tenantScope,
    OutboxJobs outboxJobs,
    Enrolments enrolments,
    AfterCommit afterCommit,
    IOptions<CaptureOptions> options,
    IOptions<OutboxOptions> outbox,
    IOptions<SystemeOptions> systeme,
    TimeProvider clock)
{
    /// <summary>The rows a capture adds, parents first.</summary>
    private static readonly Type[] CapturedRows = [typeof(Lead), typeof(LeadTag), typeof(WorkflowRun), typeof(RunStep), typeof(OutboundOperation)];

    /// <summary>Validates and captures one lead for <paramref name="tenantId"/>; <paramref name="origin"/> joins its consent evidence.</summary>
    public async Task<CaptureResult> CaptureAsync(Guid tenantId, LeadInput input, LeadSource source, CancellationToken cancellationToken, CaptureOrigin? origin = null)
    {
        var normalized = LeadInputRules.Normalize(input);
        var errors = LeadInputRules.Validate(normalized);
        if (errors.Count > 0)
        {
            return new CaptureResult(CaptureStatus.Invalid, null, errors);
        }

        var results = await CaptureValidAsync(tenantId, [normalized], source, syncNow: true, cancellationToken, origin: origin);
        return results[0];
    }

    /// <summary>
    /// Captures inputs that are already normalised and valid, in one transaction; one result per input,
    /// in order. With <paramref name="syncNow"/> false (imports) the outbox rows wait for the sweep
    /// instead of one job each. <paramref name="tagsOf"/> gives an input the tags it arrives with instead of the
    /// capture tags (a Systeme.io contact comes with its own). Each new lead keeps its consent evidence: the input's
    /// <see cref="LeadInput.Consent"/> and <paramref name="origin"/>; a lead that fills in the hosted form again renews it.
    /// <paramref name="beforeCommit"/> sees the results inside the transaction: what it changes in the context commits
    /// with the leads (an import's progress).
    /// </summary>
    public async Task<IReadOnlyList<CaptureResult>> CaptureValidAsync(
        Guid tenantId, IReadOnlyList<LeadInput> inputs, LeadSource source, bool syncNow, CancellationToken cancellationToken,
        Func<LeadInput, IReadOnlyList<string>>? tagsOf = null, CaptureOrigin? origin = null,
        Action<IReadOnlyList<CaptureResult>>? beforeCommit = null)
    {
        origin ??= CaptureOrigin.None;
        using var scope = tenantScope.Enter(tenantId);
        var now = clock.GetUtcNow();
        var results = new CaptureResult[inputs.Count];
        var outboxRows = new List<OutboundOperation>();

        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            // Taking the tenant row's write lock first makes concurrent captures of one tenant queue up.
            await db.Tenants.Where(t => t.Id == tenantId)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastCaptureAt, now), cancellationToken);
            var maxLeads = await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.MaxLeads).SingleAsync(cancellationToken);
            // The leads counter, not a count of the IB's leads: exact under the tenant row's lock, as every capture
            // (the only path that adds leads) takes it before reading.
            var count = await db.CounterAsync(TenantCounterTriggers.Leads, cancellationToken);

            var emails = inputs.Select(i => i.Email!).Distinct().ToList();
            var existing = await db.Leads.Include(l => l.Tags).Where(l => emails.Contains(l.Email)).ToDictionaryAsync(l => l.Email, cancellationToken);
            var (owners, claimedNow) = await ClaimAsync(tenantId, emails, now, cancellationToken);
            var erased = await ErasedAsync(emails.Where(e => !existing.ContainsKey(e)), source, cancellationToken);

            for (var i = 0; i < inputs.Count; i++)
            {
                var input = inputs[i];
                var tags = tagsOf?.Invoke(input) ?? CaptureTags.For(input.IbType, input.MonthlyLeads);
                if (existing.TryGetValue(input.Email!, out var lead))
                {
                    var added = AddTags(lead, tags, now);
                    FillBlanks(lead, input);
                    if (source == LeadSource.Form || lead.ConsentAt is null)
                    {
                        // The person's own form renews the evidence; any other path only fills it in where there was none.
                        KeepConsent(lead, input, origin, now);
                    }

                    if (added.Count > 0)
                    {
                        outboxRows.Add(Outbound(lead, now, syncNow));
                        await enrolments.OnTagsAddedAsync(lead, added, cancellationToken);
                    }

                    results[i] = CaptureResult.Of(CaptureStatus.Existing, lead);
                    continue;
                }

                if (options.Value.Policy == CapturePolicy.Exclusive && owners[input.Email!] != tenantId)
                {
                    results[i] = CaptureResult.Of(CaptureStatus.TakenByAnotherIb);
                    continue;
                }

                if (erased.Contains(input.Email!))
                {
                    results[i] = CaptureResult.Of(CaptureStatus.Erased);
                    continue;
                }

                if (count >= maxLeads)
                {
                    results[i] = CaptureResult.Of(CaptureStatus.LimitReached);
                    continue;
                }

                lead = new Lead
                {
                    Email = input.Email!,
                    Name = input.Name,
                    Phone = input.Phone,
                    IbType = input.IbType,
                    MonthlyLeads = input.MonthlyLeads,
                    BrokerNetwork = input.BrokerNetwork,
                    Source = source,
                    SyncState = systeme.Value.IsOffline ? LeadSyncState.NotSynced : LeadSyncState.Pending,
                    CreatedAt = now,
                };
                KeepConsent(lead, input, origin, now);
                var tagged = AddTags(lead, tags, now);
                db.Leads.Add(lead);
                await enrolments.OnLeadCapturedAsync(lead, cancellationToken);
                await enrolments.OnTagsAddedAsync(lead, tagged, cancellationToken);
                existing[lead.Email] = lead;
                outboxRows.Add(Outbound(lead, now, syncNow));
                count++;
                results[i] = CaptureResult.Of(CaptureStatus.Created, lead);
            }

            db.OutboundOperations.AddRange(outboxRows);
            try
            {
                beforeCommit?.Invoke(results);
                // The new rows go in several to a statement (an import batch adds thousands); SaveChanges writes the rest.
                await db.InsertAddedAsync(CapturedRows, cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
                await ReleaseUnusedClaimsAsync(tenantId, claimedNow.Where(e => !existing.ContainsKey(e)), cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            catch
            {
                afterCommit.Discard();
                throw;
            }
        }

        // Runs the capture started: handed to the engine now that they are committed.
        afterCommit.Flush();

        if (syncNow)
        {
            foreach (var row in outboxRows)
            {
                outboxJobs.Enqueue(tenantId, row.Id);
            }
        }

        return results;
    }

    /// <summary>Queues the lead's Systeme.io sync again (after a refusal was fixed, or by hand). False if the lead is not the tenant's.</summary>
    public async Task<bool> ResyncAsync(Guid tenantId, Guid leadId, CancellationToken cancellationToken)
    {
        using var scope = tenantScope.Enter(tenantId);
        var lead = await db.Leads.SingleOrDefaultAsync(l => l.Id == leadId, cancellationToken);
        if (lead is null)
        {
            return false;
        }

        var now = clock.GetUtcNow();
        var row = Outbound(lead, now, syncNow: true);
        db.OutboundOperations.Add(row);
        lead.SyncState = systeme.Value.IsOffline ? LeadSyncState.NotSynced : LeadSyncState.Pending;
        lead.SyncError = null;
        await db.SaveChangesAsync(cancellationToken);
        outboxJobs.Enqueue(tenantId, row.Id);
        return true;
    }

    /// <summary>
    /// Claims unclaimed emails for this tenant (insert, tolerating the conflict) and returns every email's owner, and the
    /// emails this call claimed.
    /// </summary>
    private async Task<(Dictionary<string, Guid> Owners, List<string> ClaimedNow)> ClaimAsync(Guid tenantId, List<string> emails, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var owners = await ClaimOwnersAsync(emails, cancellationToken);
        var unclaimed = emails.Where(e => !owners.ContainsKey(e)).ToList();
        await db.InsertEmailClaimsIfAbsentAsync(unclaimed, tenantId, now, cancellationToken);

        var claimedNow = new List<string>();
        if (unclaimed.Count > 0)
        {
            foreach (var (email, owner) in await ClaimOwnersAsync(unclaimed, cancellationToken))
            {
                owners[email] = owner;
                if (owner == tenantId)
                {
                    claimedNow.Add(email);
                }
            }
        }

        return (owners, claimedNow);
    }

    /// <summary>
    /// The new addresses this IB erased at the person's request. The person's own form submission is new consent: it
    /// clears the erasure instead (in this transaction) and the address becomes a lead again.
    /// </summary>
    private async Task<HashSet<string>> ErasedAsync(IEnumerable<string> emails, LeadSource source, CancellationToken cancellationToken)
    {
        var erased = new HashSet<string>(StringComparer.Ordinal);
        if (!await db.ErasedAddresses.AnyAsync(cancellationToken))
        {
            return erased;
        }

        foreach (var chunk in emails.Select(e => (Email: e, Hash: Suppressions.HashOf(e))).Chunk(500))
        {
            var hashes = chunk.Select(c => c.Hash).ToList();
            var found = await db.ErasedAddresses.Where(e => hashes.Contains(e.AddressHash)).Select(e => e.AddressHash).ToListAsync(cancellationToken);
            if (found.Count == 0)
            {
                continue;
            }

            if (source == LeadSource.Form)
            {
                await db.ErasedAddresses.Where(e => found.Contains(e.AddressHash)).ExecuteDeleteAsync(cancellationToken);
                continue;
            }

            erased.UnionWith(chunk.Where(c => found.Contains(c.Hash)).Select(c => c.Email));
        }

        return erased;
    }

    /// <summary>
    /// A claim stands for an address that became this IB's lead. One this capture made for an address it then refused
    /// (the IB at its lead limit) is taken back in the same transaction, so the next IB to capture the address is not
    /// refused for a lead no IB has.
    /// </summary>
    private async Task ReleaseUnusedClaimsAsync(Guid tenantId, IEnumerable<string> unused, CancellationToken cancellationToken)
    {
        foreach (var chunk in unused.Chunk(500))
        {
            await db.LeadEmailClaims.Where(c => c.TenantId == tenantId && chunk.Contains(c.Email)).ExecuteDeleteAsync(cancellationToken);
        }
    }

    private async Task<Dictionary<string, Guid>> ClaimOwnersAsync(List<string> emails, CancellationToken cancellationToken)
    {
        var owners = new Dictionary<string, Guid>();
        foreach (var chunk in emails.Chunk(500))
        {
            var claims = await db.LeadEmailClaims.Where(c => chunk.Contains(c.Email)).Select(c => new { c.Email, c.TenantId }).ToListAsync(cancellationToken);
            foreach (var claim in claims)
            {
                owners[claim.Email] = claim.TenantId;
            }
        }

        return owners;
    }

    private OutboundOperation Outbound(Lead lead, DateTimeOffset now, bool syncNow) => new()
    {
        Kind = OutboundKind.SystemeLeadSync,
        LeadId = lead.Id,
        CreatedAt = now,
        NextAttemptAt = now,
        // Handed to the job enqueued right after commit; the sweep takes over if that job is lost.
        LeaseUntil = syncNow ? now + outbox.Value.Lease : null,
    };

    private static List<string> AddTags(Lead lead, IEnumerable<string> slugs, DateTimeOffset now)
    {
        var added = new List<string>();
        foreach (var slug in slugs.Where(s => lead.Tags.All(t => t.Slug != s)))
        {
            lead.Tags.Add(new LeadTag { Slug = slug, AddedAt = now });
            added.Add(slug);
        }

        if (added.Count > 0 && lead.SyncState is LeadSyncState.Synced)
        {
            lead.SyncState = LeadSyncState.Pending;
        }

        return added;
    }

    private static void KeepConsent(Lead lead, LeadInput input, CaptureOrigin origin, DateTimeOffset now)
    {
        lead.ConsentAt = now;
        lead.ConsentText = input.Consent;
        lead.ConsentIp = origin.Ip;
        lead.ConsentUserAgent = origin.UserAgent is { Length: > CaptureOrigin.MaxUserAgentLength } agent ? agent[..CaptureOrigin.MaxUserAgentLength] : origin.UserAgent;
        lead.ConsentImportId = origin.ImportId;
    }

    private static void FillBlanks(Lead lead, LeadInput input)
    {
        lead.Name ??= input.Name;
        lead.Phone ??= input.Phone;
        lead.IbType ??= input.IbType;
        lead.MonthlyLeads ??= input.MonthlyLeads;
        lead.BrokerNetwork ??= input.BrokerNetwork;
    }
}
