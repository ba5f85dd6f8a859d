using ClientFlow.Automation.Data;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClientFlow.Automation.Outbox;

/// <summary>
/// Keeps a live claim alive: while its owner works (waiting its turn in the shared Systeme.io budget, a slow SMTP
/// server), the row's lease, the lead's Systeme.io conversation and the email's Sending fence are pushed forward
/// every third of the lease, each only where this owner still holds it. A worker that dies stops renewing, so what
/// it held lapses one lease later and is taken over; a live worker is never mistaken for a dead one.
/// </summary>
internal sealed partial class ClaimRenewal : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private bool _disposed;

    private ClaimRenewal(Func<Task> renew, TimeSpan every, TimeProvider clock)
    {
        _loop = RunAsync(renew, every, clock, _stop.Token);
    }

    public static ClaimRenewal Start(IServiceScopeFactory scopes, OutboundOperation operation, OutboundClaim claim, TimeSpan lease, TimeProvider clock, ILogger logger) =>
        new(() => RenewAsync(scopes, operation, claim, lease, clock, logger), lease / 3, clock);

    /// <summary>Stops renewing; safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private static async Task RunAsync(Func<Task> renew, TimeSpan every, TimeProvider clock, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(every, clock, stop);
                await renew();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The owner finished.
        }
    }

    private static async Task RenewAsync(IServiceScopeFactory scopes, OutboundOperation operation, OutboundClaim claim, TimeSpan lease, TimeProvider clock, ILogger logger)
    {
        try
        {
            var until = clock.GetUtcNow() + lease;
            await using var scope = scopes.CreateAsyncScope();
            using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(operation.TenantId))
            {
                var db = scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>();
                var held = await db.OutboundOperations.Where(o => o.Id == operation.Id && o.LeaseOwner == claim.Owner)
                    .ExecuteUpdateAsync(s => s.SetProperty(o => o.LeaseUntil, until), CancellationToken.None);
                if (held == 0)
                {
                    LogLost(logger, operation.Id);
                    return;
                }

                if (operation.LeadId is { } leadId)
                {
                    await db.Leads.Where(l => l.Id == leadId && l.SystemeLeaseOwner == claim.Owner)
                        .ExecuteUpdateAsync(s => s.SetProperty(l => l.SystemeLeaseUntil, until), CancellationToken.None);
                }

                if (operation.EmailMessageId is { } messageId)
                {
                    await db.EmailMessages.Where(m => m.Id == messageId && m.Status == EmailStatus.Sending && m.SendingOwner == claim.Owner)
                        .ExecuteUpdateAsync(s => s.SetProperty(m => m.SendingUntil, until), CancellationToken.None);
                }
            }
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
        {
            // A database hiccup: the next tick tries again, well inside the lease.
            LogRenewalFailed(logger, operation.Id, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox operation {OperationId}: the claim lapsed and another worker holds the row; no longer renewing")]
    private static partial void LogLost(ILogger logger, Guid operationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox operation {OperationId}: renewing the claim failed ({Error}); trying again at the next tick")]
    private static partial void LogRenewalFailed(ILogger logger, Guid operationId, string error);
}
