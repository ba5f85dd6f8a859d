using ClientFlow.Automation.Data;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Notifications;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Systeme;
using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Outbox;

/// <summary>
/// Performs one outbox row: a Systeme.io sync or tag removal, an email delivery, or a notification.
/// Transient failures (429, 5xx, timeouts, network) reschedule it with exponential backoff (a
/// Systeme.io row shows the lead as retrying); a refusal marks it failed with the reason. Offline
/// (no Systeme.io key) Systeme.io rows stay pending, to be synced once a key is configured.
/// </summary>
public sealed partial class OutboxDispatcher(
    ClientFlowDbContext db,
    LeadSync leadSync,
    EmailDelivery emailDelivery,
    NotificationSender notifications,
    Engine.AfterCommit afterCommit,
    OutboxJobs jobs,
    IOptions<SystemeOptions> systeme,
    IOptions<OutboxOptions> options,
    TimeProvider clock,
    ILogger<OutboxDispatcher> logger)
{
    public async Task DispatchAsync(Guid operationId, CancellationToken cancellationToken)
    {
        var operation = await db.OutboundOperations.SingleOrDefaultAsync(o => o.Id == operationId, cancellationToken);
        if (operation is not { Status: OutboundStatus.Pending } || (IsSysteme(operation.Kind) && systeme.Value.IsOffline))
        {
            return;
        }

        operation.Attempts++;
        try
        {
            await PerformAsync(operation, cancellationToken);
            operation.Status = OutboundStatus.Done;
            operation.CompletedAt = clock.GetUtcNow();
            operation.LastError = null;
        }
        catch (Exception ex) when (IsTransient(ex, cancellationToken))
        {
            var delay = Backoff(operation.Attempts, (ex as SystemeApiException)?.RetryAfter);
            operation.NextAttemptAt = clock.GetUtcNow() + delay;
            operation.LastError = Describe(ex);
            await MarkLeadAsync(operation, LeadSyncState.Retrying, cancellationToken);
            LogRetrying(operation.Id, operation.Attempts, delay.TotalSeconds, operation.LastError);
            await db.SaveChangesAsync(cancellationToken);
            afterCommit.Discard();
            jobs.Schedule(operation.TenantId, operation.Id, delay);
            return;
        }
        catch (Exception ex) when (ex is SystemeApiException or OutboundException)
        {
            operation.Status = OutboundStatus.Failed;
            operation.LastError = Describe(ex);
            await MarkLeadAsync(operation, LeadSyncState.Failed, cancellationToken);
            LogFailed(operation.Id, operation.LastError);
        }

        await db.SaveChangesAsync(cancellationToken);
        afterCommit.Flush();
    }

    private async Task PerformAsync(OutboundOperation operation, CancellationToken cancellationToken)
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
                await emailDelivery.DeliverAsync(operation, cancellationToken);
                break;
            case OutboundKind.NotifyWebhook:
                await notifications.SendWebhookAsync(operation, cancellationToken);
                break;
            case OutboundKind.NotifySms:
                await notifications.SendSmsAsync(operation, cancellationToken);
                break;
            default:
                throw new OutboundException(transient: false, $"Unknown outbox operation {operation.Kind}.");
        }
    }

    internal static bool IsSysteme(OutboundKind kind) => kind is OutboundKind.SystemeLeadSync or OutboundKind.SystemeTagRemoval;

    private async Task MarkLeadAsync(OutboundOperation operation, LeadSyncState state, CancellationToken cancellationToken)
    {
        if (!IsSysteme(operation.Kind))
        {
            return;
        }

        var lead = await db.Leads.SingleOrDefaultAsync(l => l.Id == operation.LeadId, cancellationToken);
        if (lead is not null)
        {
            lead.SyncState = state;
            lead.SyncError = operation.LastError;
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
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    private static string Describe(Exception ex)
    {
        var text = ex switch
        {
            SystemeApiException api => $"Systeme.io {(int)api.Status}: {api.Detail}",
            OutboundException => ex.Message,
            _ => $"Systeme.io unreachable: {ex.Message}",
        };
        return text.Length > 1000 ? text[..1000] : text;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox operation {OperationId} attempt {Attempt} failed; retrying in {Seconds:0} s: {Error}")]
    private partial void LogRetrying(Guid operationId, int attempt, double seconds, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox operation {OperationId} failed for good: {Error}")]
    private partial void LogFailed(Guid operationId, string error);
}
