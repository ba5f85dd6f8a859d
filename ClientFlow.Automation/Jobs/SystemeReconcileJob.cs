using ClientFlow.Automation.Data;
using ClientFlow.Automation.Systeme;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Jobs;

/// <summary>
/// The Systeme.io reconcile on Hangfire: every <c>Systeme:ReconcileMinutes</c> one job per IB, and one for an IB
/// when it presses "Reconcile now" on /Settings. A failed pass is retried; its cursor makes the retry resume.
/// </summary>
public sealed class SystemeReconcileJob(ClientFlowDbContext db, SystemeReconciler reconciler, IBackgroundJobClient jobs, IOptions<SystemeOptions> options)
{
    public const string RecurringId = "systeme-reconcile";

    [Queue(JobQueues.Default)]
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(60)]
    [JobDisplayName("Systeme.io reconcile: every IB")]
    public async Task RunAllAsync(CancellationToken cancellationToken)
    {
        if (options.Value.IsOffline)
        {
            // Nothing to read back from: no job per IB every quarter hour just to find that out.
            return;
        }

        // Tenants are the platform's rows: listing them needs no tenant in scope.
        foreach (var tenantId in await db.Tenants.Select(t => t.Id).ToListAsync(cancellationToken))
        {
            jobs.Enqueue<SystemeReconcileJob>(j => j.RunAsync(tenantId, CancellationToken.None));
        }
    }

    [Queue(JobQueues.Default)]
    [AutomaticRetry(Attempts = 3)]
    [JobDisplayName("Systeme.io reconcile of IB {0}")]
    public Task RunAsync(Guid tenantId, CancellationToken cancellationToken) => reconciler.RunAsync(tenantId, cancellationToken);

    /// <summary>The recurring job's schedule for <paramref name="minutes"/> (1 to 60); <c>Systeme:ReconcileMinutes = 0</c> registers none.</summary>
    public static string Cron(int minutes) => minutes >= 60 ? Hangfire.Cron.Hourly() : $"*/{minutes} * * * *";
}
