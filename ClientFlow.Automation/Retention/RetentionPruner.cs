using ClientFlow.Automation.Data;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Outbox;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Automation.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Retention;

/// <summary>
/// Applies <see cref="RetentionOptions"/>: blanks the bodies of old settled emails and deletes old run steps of
/// finished runs, old settled inbox events and old done outbox rows. Only what nothing reads any more goes: an
/// email the admin may send again (unconfirmed) keeps its body and its delivery row, dead letters stay, and a run
/// that can still move keeps every step (the (run, step) key is what stops a step from committing twice).
/// <para>
/// Every statement is set-based and touches at most <see cref="RetentionOptions.BatchSize"/> rows, so a prune
/// never holds SQLite's single writer for long. Each statement chooses its rows and writes them at once (no list
/// of ids read first), so nothing is pruned on a stale read, such as a row an admin hands back at that moment.
/// </para>
/// <para>
/// Tenant-owned rows are pruned tenant by tenant, inside that tenant's scope, under the tenant filter and, on
/// PostgreSQL, row-level security. The tenants come from the tenant table, which no tenant owns, so the pruner
/// never needs the cross-tenant read path and never lifts either guard; each statement narrows on the tenant's
/// own indexes. Inbox events are owned by no tenant (it is known only once an event is read), so they are pruned
/// in one pass outside any scope, the way the inbox reads them.
/// </para>
/// </summary>
public sealed class RetentionPruner(
    ClientFlowDbContext db,
    TenantScope tenantScope,
    IOptions<RetentionOptions> options,
    TimeProvider clock)
{
    /// <summary>What a pruned email's HTML body becomes (the outbox page shows it in place of the body).</summary>
    public const string RemovedHtmlBody = "<p>This email's body was removed by the retention policy (Retention:EmailBodies).</p>";

    /// <summary>What a pruned email's text body becomes; an HTML-only email stays without one.</summary>
    public const string RemovedTextBody = "This email's body was removed by the retention policy (Retention:EmailBodies).";

    public async Task<RetentionResult> RunAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow();
        var batchSize = settings.BatchSize;

        var tenants = await db.Tenants.AsNoTracking().OrderBy(t => t.Id).Select(t => t.Id).ToListAsync(cancellationToken);
        int emailBodies = 0, runSteps = 0, outboxOperations = 0;
        foreach (var tenantId in tenants)
        {
            using (tenantScope.Enter(tenantId))
            {
                if (settings.EmailBodies > TimeSpan.Zero)
                {
                    emailBodies += await InBatchesAsync(batchSize, () => RemoveEmailBodiesAsync(now - settings.EmailBodies, batchSize, cancellationToken));
                }

                if (settings.RunSteps > TimeSpan.Zero)
                {
                    runSteps += await InBatchesAsync(batchSize, () => DeleteRunStepsAsync(now - settings.RunSteps, batchSize, cancellationToken));
                }

                if (settings.OutboxOperations > TimeSpan.Zero)
                {
                    outboxOperations += await InBatchesAsync(batchSize, () => DeleteOutboxOperationsAsync(now - settings.OutboxOperations, batchSize, cancellationToken));
                }
            }
        }

        var inboxEvents = settings.InboxEvents > TimeSpan.Zero
            ? await InBatchesAsync(batchSize, () => DeleteInboxEventsAsync(now - settings.InboxEvents, batchSize, cancellationToken))
            : 0;

        return new RetentionResult(emailBodies, runSteps, inboxEvents, outboxOperations);
    }

    /// <summary>
    /// Sent, suppressed and failed messages are settled: nothing sends them again. Pending and Sending are in
    /// flight, and an unconfirmed message may be sent again by an admin (/Admin/DeadLetters), so those keep their
    /// bodies. Token, links and counters stay, so old opens, clicks and unsubscribes still work.
    /// </summary>
    private Task<int> RemoveEmailBodiesAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken) =>
        db.EmailMessages
            .Where(m => (m.Status == EmailStatus.Sent || m.Status == EmailStatus.Suppressed || m.Status == EmailStatus.Failed)
                // A message is sent after it is created, so the CreatedAt test adds nothing but lets the (tenant, created) index narrow the scan.
                && m.CreatedAt < cutoff
                && (m.SentAt ?? m.CreatedAt) < cutoff
                && m.HtmlBody != RemovedHtmlBody)
            .OrderBy(m => m.Id)
            .Take(batchSize)
            .ExecuteUpdateAsync(
                s => s.SetProperty(m => m.HtmlBody, RemovedHtmlBody)
                    .SetProperty(m => m.TextBody, m => m.TextBody == null ? null : RemovedTextBody),
                cancellationToken);

    /// <summary>
    /// Only runs that are over (completed, exited, failed) lose their steps, and only once the whole run is older
    /// than the setting, so a lead's page shows a run with all its steps or, long after it ended, none. A running,
    /// waiting or paused run keeps them all: the (run, step) key is the engine's guard against doing a step twice.
    /// </summary>
    private Task<int> DeleteRunStepsAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken) =>
        db.RunSteps
            .Where(s => s.ExecutedAt < cutoff
                && db.WorkflowRuns.Any(r => r.Id == s.RunId
                    && (r.Status == RunStatus.Completed || r.Status == RunStatus.Exited || r.Status == RunStatus.Failed)
                    && r.FinishedAt < cutoff))
            .OrderBy(s => s.Id)
            .Take(batchSize)
            .ExecuteDeleteAsync(cancellationToken);

    /// <summary>
    /// Done rows only: failed and dead-lettered rows wait for an admin. The done delivery row of an unconfirmed email
    /// stays too, because sending that email again hands the same row back to the outbox.
    /// </summary>
    private Task<int> DeleteOutboxOperationsAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken) =>
        db.OutboundOperations
            .Where(o => o.Status == OutboundStatus.Done
                && o.CompletedAt < cutoff
                && !db.EmailMessages.Any(m => m.Id == o.EmailMessageId && m.Status == EmailStatus.Unconfirmed))
            .OrderBy(o => o.Id)
            .Take(batchSize)
            .ExecuteDeleteAsync(cancellationToken);

    /// <summary>
    /// Settled events only (processed, ignored, rejected; a rejected event may never have been processed, so its age
    /// counts from receipt). Dead-lettered events stay for /Admin/DeadLetters; pending and processing ones are live.
    /// Deleting an event frees its (source, message id) key, so a redelivery older than the setting would be processed
    /// again: hence the default of a month and the floor of a week on <see cref="RetentionOptions.InboxEvents"/>.
    /// </summary>
    private Task<int> DeleteInboxEventsAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken) =>
        db.InboundEvents
            .Where(e => (e.Status == InboundStatus.Processed || e.Status == InboundStatus.Ignored || e.Status == InboundStatus.Rejected)
                && (e.ProcessedAt ?? e.ReceivedAt) < cutoff)
            .OrderBy(e => e.Id)
            .Take(batchSize)
            .ExecuteDeleteAsync(cancellationToken);

    /// <summary>
    /// Repeats one bounded statement until a batch comes back short. Each statement takes its rows out of its own
    /// conditions (deleted, or body replaced), so every pass makes progress and the loop ends.
    /// </summary>
    private static async Task<int> InBatchesAsync(int batchSize, Func<Task<int>> batch)
    {
        var total = 0;
        int affected;
        do
        {
            affected = await batch();
            total += affected;
        }
        while (affected == batchSize);

        return total;
    }
}
