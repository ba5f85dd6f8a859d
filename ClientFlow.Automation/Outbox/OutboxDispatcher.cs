using ClientFlow.Automation.Data;
using ClientFlow.Automation.Diagnostics;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Notifications;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Systeme;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Outbox;

/// <summary>
/// Performs one outbox row: a Systeme.io sync or tag removal, an email delivery, or a notification.
/// <para>
/// Exactly one worker performs an attempt: a conditional update claims the row (it must be Pending, due,
/// and not held by a live claim) and records this worker as <see cref="OutboundOperation.LeaseOwner"/>
/// until <see cref="OutboundOperation.LeaseUntil"/>, before any I/O. Every later change to the row is
/// conditional on that owner, so a worker whose lease lapsed (and whose row another worker took over)
/// changes nothing. Systeme.io rows also take the lead's conversation (<see cref="SystemeConversations"/>):
/// one Systeme.io conversation per lead at a time.
/// </para>
/// <para>
/// Transient failures (429, 5xx, timeouts, network) reschedule the row with exponential backoff (a
/// Systeme.io row shows the lead as retrying); after <see cref="OutboxOptions.MaxAttempts"/> it is
/// dead-lettered with the reason. A refusal marks it failed. Offline (no Systeme.io key) Systeme.io rows
/// stay pending, to be synced once a key is configured.
/// </para>
/// </summary>
public sealed partial class OutboxDispatcher(
    ClientFlowDbContext db,
    LeadSync leadSync,
    EmailDelivery emailDelivery,
    NotificationSender notifications,
    SystemeConversations conversations,
    Engine.AfterCommit afterCommit,
    IServiceScopeFactory scopes,
    OutboxJobs jobs,
    ClientFlowMetrics metrics,
    IOptions<SystemeOptions> systeme,
    IOptions<OutboxOptions> options,
    TimeProvider clock,
    ILogger<OutboxDispatcher> logger)
{
    /// <summary>How soon a Systeme.io row comes back when another conversation with its lead is under way.</summary>
    internal static readonly TimeSpan ConversationBusyDelay = TimeSpan.FromSeconds(2);

    /// <summary>How early a scheduled retry may fire and still count as that retry (rather than a stale job, which just ends).</summary>
    private static readonly TimeSpan EarlyFireTolerance = TimeSpan.FromSeconds(2);

    public async Task DispatchAsync(Guid operationId, CancellationToken cancellationToken)
    {
        if (systeme.Value.IsOffline
            && await db.OutboundOperations.AnyAsync(o => o.Id == operationId && (o.Kind == OutboundKind.SystemeLeadSync || o.Kind == OutboundKind.SystemeTagRemoval || o.Kind == OutboundKind.SystemeErasure), cancellationToken))
        {
            return;
        }

        var now = clock.GetUtcNow();
        var claim = new OutboundClaim(Guid.NewGuid(), now + options.Value.Lease);
        var claimed = await db.OutboundOperations
            .Where(o => o.Id == operationId && o.Status == OutboundStatus.Pending && o.NextAttemptAt <= now && (o.LeaseOwner == null || o.LeaseUntil <= now))
            .ExecuteUpdateAsync(
                s => s.SetProperty(o => o.LeaseOwner, claim.Owner).SetProperty(o => o.LeaseUntil, claim.Until).SetProperty(o => o.Attempts, o => o.Attempts + 1),
                cancellationToken);
        if (claimed == 0)
        {
            // Done, failed, or held by another live claim: that worker carries it. A retry that Hangfire fired a moment
            // early (its schedule keeps whole seconds) waits again, so the backoff is never cut short.
            await RescheduleIfEarlyAsync(operationId, now, cancellationToken);
            return;
        }

        var operation = await db.OutboundOperations.AsNoTracking().SingleAsync(o => o.Id == operationId, cancellationToken);
        var renewal = ClaimRenewal.Start(scopes, operation, claim, options.Value.Lease, clock, logger);
        var conversation = IsSysteme(operation.Kind) ? operation.LeadId : null;
        try
        {
            if (conversation is { } leadId && !await conversations.TryEnterAsync(leadId, claim, cancellationToken))
            {
                // Another Systeme.io conversation with this lead is under way: come back shortly, without counting an attempt.
                conversation = null;
                await renewal.DisposeAsync();
                await ReleaseAsync(operation, claim, ConversationBusyDelay, attemptCounts: false);
                return;
            }

            await PerformAndRecordAsync(operation, claim, renewal, cancellationToken);
        }
        finally
        {
            await renewal.DisposeAsync();
            if (conversation is { } lead)
            {
                await conversations.LeaveAsync(lead, claim, CancellationToken.None);
            }
        }
    }

    private async Task PerformAndRecordAsync(OutboundOperation operation, OutboundClaim claim, ClaimRenewal renewal, CancellationToken cancellationToken)
    {
        Exception? failure = null;
        try
        {
            await PerformAsync(operation, claim, cancellationToken);
        }
        catch (Exception ex) when (IsTransient(ex, cancellationToken) || ex is SystemeApiException or OutboundException)
        {
            failure = ex;
        }
        finally
        {
            // The work is over: from here on only this owner's conditional updates decide, and nothing needs the lease longer.
            await renewal.DisposeAsync();
        }

        var status = OutboundStatus.Done;
        string? error = null;
        if (failure is not null && IsTransient(failure, cancellationToken))
        {
            error = Describe(failure);
            if (failure is DbUpdateException)
            {
                // What failed to save must not be saved again with the row's new state.
                db.ChangeTracker.Clear();
                afterCommit.Discard();
            }

            if (operation.Attempts < options.Value.MaxAttempts)
            {
                var delay = Backoff(operation.Attempts, (failure as SystemeApiException)?.RetryAfter);
                LogRetrying(operation.Id, operation.Attempts, delay.TotalSeconds, error);
                await MarkLeadAsync(operation, LeadSyncState.Retrying, error, cancellationToken);
                if (await ReleaseAsync(operation, claim, delay, attemptCounts: true, error))
                {
                    metrics.RecordOutboxAttempt(operation.Kind, OutboundStatus.Pending);
                }

                return;
            }

            status = OutboundStatus.DeadLettered;
            error = $"Gave up after {operation.Attempts} attempts: {error}";
            LogDeadLettered(operation.Id, error);
        }
        else if (failure is not null)
        {
            status = OutboundStatus.Failed;
            error = Describe(failure);
            LogFailed(operation.Id, error);
        }

        if (status != OutboundStatus.Done)
        {
            await MarkLeadAsync(operation, LeadSyncState.Failed, error, cancellationToken);
        }

        // The attempt's effects and the row's new state commit together, and only while this claim holds the row.
        var completedAt = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
        await db.SaveChangesAsync(CancellationToken.None);
        var moved = await db.OutboundOperations
            .Where(o => o.Id == operation.Id && o.LeaseOwner == claim.Owner)
            .ExecuteUpdateAsync(
                s => s.SetProperty(o => o.Status, status)
                    .SetProperty(o => o.LastError, error)
                    .SetProperty(o => o.CompletedAt, status == OutboundStatus.Done ? completedAt : (DateTimeOffset?)null)
                    .SetProperty(o => o.LeaseOwner, (Guid?)null)
                    .SetProperty(o => o.LeaseUntil, (DateTimeOffset?)null),
                CancellationToken.None);
        if (moved == 0)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            afterCommit.Discard();
            LogLostLease(operation.Id);
            return;
        }

        await transaction.CommitAsync(CancellationToken.None);
        afterCommit.Flush();
        metrics.RecordOutboxAttempt(operation.Kind, status);
    }

    /// <summary>
    /// Gives the row back for a later attempt: due after <paramref name="delay"/> and handed to the job scheduled
    /// for then (its lease covers the wait, so the sweep does not hand it out twice). Only the claim's owner can: false
    /// when its lease lapsed and another worker took the row over.
    /// </summary>
    private async Task<bool> ReleaseAsync(OutboundOperation operation, OutboundClaim claim, TimeSpan delay, bool attemptCounts, string? error = null)
    {
        var now = clock.GetUtcNow();
        var dueAt = now + delay;
        var handedUntil = dueAt + options.Value.Lease;
        await using (var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None))
        {
            await db.SaveChangesAsync(CancellationToken.None);
            var released = await db.OutboundOperations
                .Where(o => o.Id == operation.Id && o.LeaseOwner == claim.Owner)
                .ExecuteUpdateAsync(
                    s => s.SetProperty(o => o.NextAttemptAt, dueAt)
                        .SetProperty(o => o.LeaseOwner, (Guid?)null)
                        .SetProperty(o => o.LeaseUntil, handedUntil)
                        .SetProperty(o => o.Attempts, o => attemptCounts ? o.Attempts : o.Attempts - 1)
                        .SetProperty(o => o.LastError, o => error ?? o.LastError),
                    CancellationToken.None);
            if (released == 0)
            {
                await transaction.RollbackAsync(CancellationToken.None);
                afterCommit.Discard();
                LogLostLease(operation.Id);
                return false;
            }

            await transaction.CommitAsync(CancellationToken.None);
        }

        afterCommit.Discard();
        jobs.Schedule(operation.TenantId, operation.Id, delay);
        return true;
    }

    private async Task RescheduleIfEarlyAsync(Guid operationId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var row = await db.OutboundOperations.AsNoTracking()
            .Where(o => o.Id == operationId && o.Status == OutboundStatus.Pending && o.LeaseOwner == null && o.NextAttemptAt > now)
            .Select(o => new { o.TenantId, o.NextAttemptAt })
            .SingleOrDefaultAsync(cancellationToken);
        if (row is not null && row.NextAttemptAt - now <= EarlyFireTolerance)
        {
            jobs.Schedule(row.TenantId, operationId, row.NextAttemptAt - now);
        }
    }

    private async Task PerformAsync(OutboundOperation operation, OutboundClaim claim, CancellationToken cancellationToken)
    {
        switch (operation.Kind)
        {
            case OutboundKind.SystemeLeadSync:
                await leadSync.SyncAsync(operation.LeadId!.Value, cancellationToken);
                break;
            case OutboundKind.SystemeTagRemoval:
                await leadSync.RemoveTagAsync(operation.LeadId!.Value, operation.Payload!, cancellationToken);
                break;
            case OutboundKind.EmailDelivery:
                await emailDelivery.DeliverAsync(operation, claim, cancellationToken);
                break;
            case OutboundKind.NotifyWebhook:
                await notifications.SendWebhookAsync(operation, cancellationToken);
                break;
            case OutboundKind.NotifySms:
                await notifications.SendSmsAsync(operation, cancellationToken);
                break;
            case OutboundKind.SystemeErasure:
                await leadSync.EraseAsync(System.Text.Json.JsonSerializer.Deserialize<Systeme.SystemeErasure>(operation.Payload!)!, cancellationToken);
                break;
            default:
                throw new OutboundException(transient: false, $"Unknown outbox operation {operation.Kind}.");
        }
    }

    internal static bool IsSysteme(OutboundKind kind) => kind is OutboundKind.SystemeLeadSync or OutboundKind.SystemeTagRemoval;

    private async Task MarkLeadAsync(OutboundOperation operation, LeadSyncState state, string? error, CancellationToken cancellationToken)
    {
        if (!IsSysteme(operation.Kind))
        {
            return;
        }

        var lead = await db.Leads.SingleOrDefaultAsync(l => l.Id == operation.LeadId, cancellationToken);
        if (lead is not null)
        {
            lead.SyncState = state;
            lead.SyncError = error;
        }
    }

    private TimeSpan Backoff(int attempt, TimeSpan? asked)
    {
        var exponential = TimeSpan.FromSeconds(Math.Min(options.Value.MaxBackoff.TotalSeconds, 2 * Math.Pow(2, Math.Min(attempt - 1, 20))));
        return asked is { } wait && wait > exponential ? wait : exponential;
    }

    private static bool IsTransient(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        SystemeApiException api => api.IsTransient,
        OutboundException outbound => outbound.IsTransient,
        HttpRequestException => true,
        // A clash with another writer of the lead (its unique tag key): the next attempt looks again.
        DbUpdateException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    private static string Describe(Exception ex)
    {
        var text = ex switch
        {
            SystemeApiException api => $"Systeme.io {(int)api.Status}: {api.Detail}",
            OutboundException => ex.Message,
            DbUpdateException => $"Another writer changed the same data: {ex.InnerException?.Message ?? ex.Message}",
            _ => $"Systeme.io unreachable: {ex.Message}",
        };
        return text.Length > 1000 ? text[..1000] : text;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox operation {OperationId} attempt {Attempt} failed; retrying in {Seconds:0} s: {Error}")]
    private partial void LogRetrying(Guid operationId, int attempt, double seconds, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox operation {OperationId} failed for good: {Error}")]
    private partial void LogFailed(Guid operationId, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox operation {OperationId} dead-lettered: {Error}")]
    private partial void LogDeadLettered(Guid operationId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox operation {OperationId}: this worker's lease lapsed and another took the row over; its outcome is not recorded")]
    private partial void LogLostLease(Guid operationId);
}
