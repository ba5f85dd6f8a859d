using System.Linq.Expressions;
using ClientFlow.Automation.Auditing;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Jobs;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Automation.Webhooks;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Outbox;

/// <summary>
/// What the engine gave up on, for admins: outbox rows and inbox events dead-lettered after their last
/// attempt, and emails left unconfirmed by a worker that died mid-delivery. Each is shown with its reason;
/// an admin can hand it back for another try (an unconfirmed email is then sent again, which may make a
/// duplicate: the admin decides). Listing and every retry are audited. Reads cross tenants through the
/// named audited path; each retry writes in its own tenant's scope.
/// </summary>
public sealed class DeadLetters(
    ClientFlowDbContext db,
    TenantScope tenantScope,
    OutboxJobs outboxJobs,
    IBackgroundJobClient jobs,
    IOptions<OutboxOptions> options,
    TimeProvider clock)
{
    public const int Shown = 200;

    public async Task<IReadOnlyList<DeadLetter>> ListAsync(string actorUserId, CancellationToken cancellationToken)
    {
        List<DeadLetter> letters;
        using (db.ReadAcrossTenants())
        {
            var names = await db.Tenants.AsNoTracking().ToDictionaryAsync(t => t.Id, t => t.Name, cancellationToken);
            var operations = await db.OutboundOperations.IgnoreQueryFilters([ClientFlowDbContext.TenantFilter]).AsNoTracking()
                .Where(o => o.Status == OutboundStatus.DeadLettered)
                .OrderByDescending(o => o.CreatedAt).Take(Shown)
                .Select(o => new { o.Id, o.TenantId, o.Kind, o.Attempts, o.LastError, o.CreatedAt })
                .ToListAsync(cancellationToken);
            var emails = await db.EmailMessages.IgnoreQueryFilters([ClientFlowDbContext.TenantFilter]).AsNoTracking()
                .Where(m => m.Status == EmailStatus.Unconfirmed)
                .OrderByDescending(m => m.CreatedAt).Take(Shown)
                .Select(m => new { m.Id, m.TenantId, m.To, m.Subject, m.LastError, m.CreatedAt })
                .ToListAsync(cancellationToken);
            var events = await db.InboundEvents.AsNoTracking()
                .Where(e => e.Status == InboundStatus.DeadLettered)
                .OrderByDescending(e => e.ReceivedAt).Take(Shown)
                .Select(e => new { e.Id, e.TenantId, e.EventType, e.Attempts, e.Outcome, e.ReceivedAt })
                .ToListAsync(cancellationToken);

            letters =
            [
                .. operations.Select(o => new DeadLetter(DeadLetterKind.Outbound, o.Id, o.TenantId, names.GetValueOrDefault(o.TenantId), o.Kind.ToString(), o.Attempts, o.LastError, o.CreatedAt)),
                .. emails.Select(m => new DeadLetter(DeadLetterKind.UnconfirmedEmail, m.Id, m.TenantId, names.GetValueOrDefault(m.TenantId), $"\"{m.Subject}\" to {m.To}", null, m.LastError, m.CreatedAt)),
                .. events.Select(e => new DeadLetter(DeadLetterKind.Inbound, e.Id, e.TenantId, e.TenantId is { } id ? names.GetValueOrDefault(id) : null, e.EventType, e.Attempts, e.Outcome, e.ReceivedAt)),
            ];
        }

        await AuditAsync(actorUserId, "admin.dead-letters.list", null, null, cancellationToken);
        return [.. letters.OrderByDescending(l => l.At)];
    }

    /// <summary>Hands one dead letter back for another try; false when there is no such dead letter (any more).</summary>
    public async Task<bool> RetryAsync(string actorUserId, DeadLetterKind kind, Guid id, CancellationToken cancellationToken)
    {
        var retried = kind switch
        {
            DeadLetterKind.Outbound => await RetryOperationAsync(id, cancellationToken),
            DeadLetterKind.UnconfirmedEmail => await ResendAsync(id, cancellationToken),
            DeadLetterKind.Inbound => await RetryEventAsync(id, cancellationToken),
            _ => null,
        };
        if (retried is not { } tenantId)
        {
            return false;
        }

        await AuditAsync(actorUserId, "admin.dead-letter.retry", tenantId == Guid.Empty ? null : tenantId, $"{kind} {id}", cancellationToken);
        return true;
    }

    private async Task<Guid?> RetryOperationAsync(Guid id, CancellationToken cancellationToken)
    {
        var tenantId = await TenantOfAsync(db.OutboundOperations, o => o.Id == id && o.Status == OutboundStatus.DeadLettered, cancellationToken);
        if (tenantId is null)
        {
            return null;
        }

        using (tenantScope.Enter(tenantId.Value))
        {
            if (await HandBackAsync(db.OutboundOperations.Where(o => o.Id == id && o.Status == OutboundStatus.DeadLettered), cancellationToken) == 0)
            {
                return null;
            }
        }

        outboxJobs.Enqueue(tenantId.Value, id);
        return tenantId;
    }

    /// <summary>An unconfirmed email goes back to Pending with its (done) delivery row: the admin chose to send it again.</summary>
    private async Task<Guid?> ResendAsync(Guid messageId, CancellationToken cancellationToken)
    {
        var tenantId = await TenantOfAsync(db.EmailMessages, m => m.Id == messageId && m.Status == EmailStatus.Unconfirmed, cancellationToken);
        if (tenantId is null)
        {
            return null;
        }

        Guid operationId;
        using (tenantScope.Enter(tenantId.Value))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var reset = await db.EmailMessages.Where(m => m.Id == messageId && m.Status == EmailStatus.Unconfirmed)
                .ExecuteUpdateAsync(
                    s => s.SetProperty(m => m.Status, EmailStatus.Pending)
                        .SetProperty(m => m.LastError, "Sent again by an admin after an unconfirmed delivery.")
                        .SetProperty(m => m.SendingOwner, (Guid?)null)
                        .SetProperty(m => m.SendingUntil, (DateTimeOffset?)null),
                    cancellationToken);
            operationId = await db.OutboundOperations.Where(o => o.EmailMessageId == messageId).Select(o => o.Id).SingleOrDefaultAsync(cancellationToken);
            if (reset == 0 || operationId == Guid.Empty)
            {
                return null;
            }

            await HandBackAsync(db.OutboundOperations.Where(o => o.Id == operationId), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        outboxJobs.Enqueue(tenantId.Value, operationId);
        return tenantId;
    }

    private async Task<Guid?> RetryEventAsync(Guid id, CancellationToken cancellationToken)
    {
        var handedUntil = clock.GetUtcNow() + Inbox.Lease;
        var reset = await db.InboundEvents.Where(e => e.Id == id && e.Status == InboundStatus.DeadLettered)
            .ExecuteUpdateAsync(
                s => s.SetProperty(e => e.Status, InboundStatus.Pending)
                    .SetProperty(e => e.Attempts, 0)
                    .SetProperty(e => e.LeaseOwner, (Guid?)null)
                    .SetProperty(e => e.NextAttemptAt, handedUntil),
                cancellationToken);
        if (reset == 0)
        {
            return null;
        }

        jobs.Enqueue<InboxJob>(j => j.RunAsync(id, CancellationToken.None));
        return await db.InboundEvents.Where(e => e.Id == id).Select(e => e.TenantId).SingleAsync(cancellationToken) ?? Guid.Empty;
    }

    /// <summary>Pending again with a fresh count of attempts, due now and handed to the job enqueued next.</summary>
    private Task<int> HandBackAsync(IQueryable<OutboundOperation> rows, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var handedUntil = now + options.Value.Lease;
        return rows.ExecuteUpdateAsync(
            s => s.SetProperty(o => o.Status, OutboundStatus.Pending)
                .SetProperty(o => o.Attempts, 0)
                .SetProperty(o => o.NextAttemptAt, now)
                .SetProperty(o => o.LeaseOwner, (Guid?)null)
                .SetProperty(o => o.LeaseUntil, handedUntil)
                .SetProperty(o => o.CompletedAt, (DateTimeOffset?)null),
            cancellationToken);
    }

    private async Task<Guid?> TenantOfAsync<T>(DbSet<T> rows, Expression<Func<T, bool>> predicate, CancellationToken cancellationToken)
        where T : class, ITenantOwned
    {
        using (db.ReadAcrossTenants())
        {
            return await rows.IgnoreQueryFilters([ClientFlowDbContext.TenantFilter]).Where(predicate).Select(r => (Guid?)r.TenantId).SingleOrDefaultAsync(cancellationToken);
        }
    }

    private async Task AuditAsync(string actorUserId, string action, Guid? tenantId, string? detail, CancellationToken cancellationToken)
    {
        db.AuditEntries.Add(new AuditEntry { At = clock.GetUtcNow(), ActorUserId = actorUserId, Action = action, TenantId = tenantId, Detail = detail });
        await db.SaveChangesAsync(cancellationToken);
    }
}

public enum DeadLetterKind
{
    /// <summary>An outbox row (Systeme.io sync, email delivery, notification) that kept failing.</summary>
    Outbound,

    /// <summary>An email a worker died while sending: it may have gone out.</summary>
    UnconfirmedEmail,

    /// <summary>An inbound webhook event that kept failing.</summary>
    Inbound,
}

/// <summary>One thing the engine gave up on: what it was, for whom, how often it was tried and why it stopped.</summary>
public sealed record DeadLetter(DeadLetterKind Kind, Guid Id, Guid? TenantId, string? TenantName, string What, int? Attempts, string? Reason, DateTimeOffset At);
