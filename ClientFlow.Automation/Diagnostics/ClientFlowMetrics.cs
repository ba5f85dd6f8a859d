using System.Collections.Frozen;
using System.Diagnostics.Metrics;
using System.Text;
using ClientFlow.Automation.Outbox;
using ClientFlow.Automation.Systeme;
using ClientFlow.Automation.Webhooks;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Diagnostics;

/// <summary>
/// The <c>ClientFlow</c> meter: the load an operator watches in production, the figures the benchmark harness measures.
/// <para>
/// Counters are added on the hot paths: one <c>Add</c> whose tags are cached strings, nothing allocated. Rates are the
/// scraper's job (<c>rate(clientflow_import_rows_total[1m])</c> is import rows per second).
/// </para>
/// <para>
/// Gauges read the database when metrics are collected, through one <see cref="LoadSnapshots"/> snapshot per scrape.
/// They are gauges, not up-down counters: every app node reports the same database-wide figure, which summed across
/// nodes would count each run once per node.
/// </para>
/// <para>
/// Names and units follow the OpenTelemetry semantic conventions; the Prometheus exporter writes
/// <c>clientflow.engine.lag</c> (unit <c>s</c>) as <c>clientflow_engine_lag_seconds</c> and a counter with <c>_total</c>.
/// </para>
/// </summary>
public sealed class ClientFlowMetrics
{
    public const string MeterName = "ClientFlow";

    private static readonly KeyValuePair<string, object?> Imported = new("outcome", "imported");
    private static readonly KeyValuePair<string, object?> Existing = new("outcome", "existing");
    private static readonly KeyValuePair<string, object?> Rejected = new("outcome", "rejected");
    private static readonly KeyValuePair<string, object?> Stored = new("outcome", "stored");
    private static readonly KeyValuePair<string, object?> Duplicate = new("outcome", "duplicate");

    private static readonly FrozenDictionary<OutboundKind, KeyValuePair<string, object?>> KindTags = TagsFor<OutboundKind>("kind");
    private static readonly FrozenDictionary<InboundSource, KeyValuePair<string, object?>> SourceTags = TagsFor<InboundSource>("source");

    /// <summary>The state an attempt left its row in: pending again means it will be retried.</summary>
    private static readonly FrozenDictionary<OutboundStatus, KeyValuePair<string, object?>> AttemptOutcomeTags = new Dictionary<OutboundStatus, KeyValuePair<string, object?>>
    {
        [OutboundStatus.Pending] = new("outcome", "retry"),
        [OutboundStatus.Done] = new("outcome", "done"),
        [OutboundStatus.Failed] = new("outcome", "failed"),
        [OutboundStatus.DeadLettered] = new("outcome", "dead_lettered"),
    }.ToFrozenDictionary();

    private readonly Counter<long> _importRows;
    private readonly Counter<long> _steps;
    private readonly Counter<long> _outboxAttempts;
    private readonly Counter<long> _webhooks;

    internal ClientFlowMetrics(IMeterFactory meterFactory, LoadSnapshots snapshots, IOptions<SystemeOptions> systeme)
    {
        var meter = meterFactory.Create(MeterName);

        _importRows = meter.CreateCounter<long>("clientflow.import.rows", "{row}", "CSV rows imports have stored, by outcome: imported (a new lead), existing (the IB had the email) or rejected.");
        _steps = meter.CreateCounter<long>("clientflow.engine.steps", "{step}", "Workflow steps the engine has committed.");
        _outboxAttempts = meter.CreateCounter<long>("clientflow.outbox.attempts", "{attempt}", "Outbox attempts by kind and outcome: done, retry (back to pending with backoff), failed (refused for good) or dead_lettered.");
        _webhooks = meter.CreateCounter<long>("clientflow.webhooks.received", "{event}", "Inbound Systeme.io events by source and outcome: stored, duplicate (a redelivery) or rejected (malformed, kept with the reason).");

        meter.CreateObservableGauge("clientflow.runs.due", () => Count(snapshots, s => s.RunsDue), "{run}", "Runs that should be moving now: waiting past their time, or running past their lease.");
        meter.CreateObservableGauge("clientflow.runs.late", () => Count(snapshots, s => s.RunsLate), "{run}", "Due runs the recovery sweep would take: waiting longer than Engine:SweepGrace past their time, or running past their lease (a lost job).");
        meter.CreateObservableGauge("clientflow.engine.lag", () => Seconds(snapshots, s => s.EngineLagSeconds), "s", "How long the oldest due run has been due; 0 when none is.");
        meter.CreateObservableGauge("clientflow.outbox.depth", () => Count(snapshots, s => s.OutboxDepth), "{operation}", "Pending outbox operations that are due (Systeme.io sync, email delivery, notifications); offline, Systeme.io rows are parked and not counted.");
        meter.CreateObservableGauge("clientflow.outbox.oldest_age", () => Seconds(snapshots, s => s.OutboxOldestAgeSeconds), "s", "How long the oldest due outbox operation has been waiting; 0 when none is.");
        meter.CreateObservableGauge("clientflow.outbox.dead_lettered", () => Count(snapshots, s => s.OutboxDeadLettered), "{operation}", "Outbox operations given up on after Outbox:MaxAttempts, waiting for an admin on /Admin/DeadLetters.");
        meter.CreateObservableGauge("clientflow.inbox.depth", () => Count(snapshots, s => s.InboxDepth), "{event}", "Inbound events stored and not processed yet.");
        meter.CreateObservableGauge("clientflow.inbox.oldest_age", () => Seconds(snapshots, s => s.InboxOldestAgeSeconds), "s", "How long ago the oldest unprocessed inbound event arrived; 0 when none waits.");
        meter.CreateObservableGauge("clientflow.systeme.budget.remaining", () => Count(snapshots, s => s.SystemeBudgetRemaining), "{request}", "Requests the Systeme.io budget shared by every node can grant in the coming second (0 while paused).");
        meter.CreateObservableGauge("clientflow.systeme.pause.remaining", () => Seconds(snapshots, s => s.SystemePauseSeconds), "s", "How long every node still waits before calling Systeme.io after a 429 or an exhausted quota.");
        meter.CreateObservableGauge("clientflow.systeme.rate_limit", () => systeme.Value.MaxRequestsPerSecond, "{request}/s", "Systeme:MaxRequestsPerSecond, the ceiling for the whole account.");
    }

    /// <summary>One import batch, counted once it is saved (a batch that fails to save is read again by the resumed job).</summary>
    internal void RecordImportRows(int imported, int existing, int rejected)
    {
        _importRows.Add(imported, Imported);
        _importRows.Add(existing, Existing);
        _importRows.Add(rejected, Rejected);
    }

    internal void RecordStep() => _steps.Add(1);

    /// <summary>Steps committed together: the first waits of the runs one transaction enrolled.</summary>
    internal void RecordSteps(int count) => _steps.Add(count);

    /// <summary>An attempt whose outcome was recorded, by the status it left the row in.</summary>
    internal void RecordOutboxAttempt(OutboundKind kind, OutboundStatus status) =>
        _outboxAttempts.Add(1, KindTags[kind], AttemptOutcomeTags[status]);

    internal void RecordWebhook(InboundSource source, InboundStatus status, bool duplicate) =>
        _webhooks.Add(1, SourceTags[source], duplicate ? Duplicate : status == InboundStatus.Rejected ? Rejected : Stored);

    private static IEnumerable<Measurement<long>> Count(LoadSnapshots snapshots, Func<LoadSnapshot, int> figure) =>
        snapshots.Current() is { } snapshot ? [new Measurement<long>(figure(snapshot))] : [];

    private static IEnumerable<Measurement<double>> Seconds(LoadSnapshots snapshots, Func<LoadSnapshot, double> figure) =>
        snapshots.Current() is { } snapshot ? [new Measurement<double>(figure(snapshot))] : [];

    /// <summary>One tag per enum value, its name in snake_case (<c>SystemeLeadSync</c> is <c>systeme_lead_sync</c>), built once.</summary>
    private static FrozenDictionary<TEnum, KeyValuePair<string, object?>> TagsFor<TEnum>(string key)
        where TEnum : struct, Enum =>
        Enum.GetValues<TEnum>().ToFrozenDictionary(value => value, value => new KeyValuePair<string, object?>(key, SnakeCase(value.ToString())));

    private static string SnakeCase(string name)
    {
        var text = new StringBuilder(name.Length + 4);
        foreach (var c in name)
        {
            if (char.IsUpper(c) && text.Length > 0)
            {
                text.Append('_');
            }

            text.Append(char.ToLowerInvariant(c));
        }

        return text.ToString();
    }
}
