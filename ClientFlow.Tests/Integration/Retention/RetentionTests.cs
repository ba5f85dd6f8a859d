using System.Collections.Concurrent;
using System.Data.Common;
using System.Net;
using System.Text.RegularExpressions;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Jobs;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Outbox;
using ClientFlow.Automation.Retention;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Automation.Webhooks;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using Hangfire;
using Hangfire.Storage;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Serilog.Core;
using Serilog.Events;

namespace ClientFlow.Tests.Integration.Retention;

/// <summary>
/// Retention on the real app and a real SQLite file: old settled history goes, in bounded statements, and
/// nothing live or awaiting an admin does. A pruned email still tracks opens and clicks, a run that can still
/// move keeps its steps, an unconfirmed email can still be sent again, and a period of zero keeps forever.
/// Each test has its own database and host, so every count it asserts is its own.
/// </summary>
public sealed partial class RetentionTests : IAsyncLifetime
{
    private const string Browser = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";

    private readonly SqliteTestDatabase _database = new();
    private readonly FakeTimeProvider _clock = new(TimeProvider.System.GetUtcNow());
    private readonly StatementLog _statements = new();
    private ClientFlowAppFactory? _app;

    private DateTimeOffset Now => _clock.GetUtcNow();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Prune_BlanksOldSettledEmailBodies_AndTheOldEmailsPixelAndLinksStillWork()
    {
        var app = await StartAppAsync();
        var ib = await app.SeedIbAsync("bodies@retention.test", "Bodies IB");
        var offer = await app.CreateTemplateAsync(ib.TenantId, "Offer", "Our offer", """<p>See <a href="https://broker.example/offer">the offer</a></p>""", "See the offer");
        await app.PublishWorkflowAsync(ib.TenantId, "Offer", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new SendEmailStep(offer.Id)]);
        var lead = await app.CaptureAsync(ib.TenantId, new LeadInput { Email = "old-reader@example.com" });
        await Eventually.HoldsAsync(async () => (await app.MessagesOfAsync(ib.TenantId)).SingleOrDefault()?.Status == EmailStatus.Sent, "the offer is sent");
        var sent = Assert.Single(await app.MessagesOfAsync(ib.TenantId));
        Assert.Equal("""["https://broker.example/offer"]""", sent.LinksJson);

        // Three months on. Beside the sent offer: other settled messages, messages still in flight, an unconfirmed
        // one an admin may send again, and one created long ago but sent yesterday (its age counts from sending).
        _clock.Advance(TimeSpan.FromDays(91));
        var old = Now - TimeSpan.FromDays(100);
        var failed = RetentionRows.Email(EmailStatus.Failed, old, textBody: null);
        var suppressed = RetentionRows.Email(EmailStatus.Suppressed, old);
        var pending = RetentionRows.Email(EmailStatus.Pending, old);
        var sending = RetentionRows.Email(EmailStatus.Sending, old);
        var unconfirmed = RetentionRows.Email(EmailStatus.Unconfirmed, old);
        var sentYesterday = RetentionRows.Email(EmailStatus.Sent, old, sentAt: Now - TimeSpan.FromDays(1));
        await app.AddRowsAsync(ib.TenantId, failed, suppressed, pending, sending, unconfirmed, sentYesterday);

        Assert.Equal(3, (await app.PruneAsync()).EmailBodies);

        var messages = (await app.MessagesOfAsync(ib.TenantId)).ToDictionary(m => m.Id);
        var pruned = messages[sent.Id];
        Assert.Equal((RetentionPruner.RemovedHtmlBody, RetentionPruner.RemovedTextBody), (pruned.HtmlBody, pruned.TextBody));
        Assert.Equal((EmailStatus.Sent, sent.Token, sent.LinksJson, sent.SentAt), (pruned.Status, pruned.Token, pruned.LinksJson, pruned.SentAt));
        Assert.Equal((RetentionPruner.RemovedHtmlBody, RetentionPruner.RemovedTextBody), (messages[suppressed.Id].HtmlBody, messages[suppressed.Id].TextBody));
        Assert.Equal(RetentionPruner.RemovedHtmlBody, messages[failed.Id].HtmlBody);
        Assert.Null(messages[failed.Id].TextBody);
        Assert.All(new[] { pending, sending, unconfirmed, sentYesterday }, kept =>
            Assert.Equal((RetentionRows.HtmlBody, RetentionRows.TextBody), (messages[kept.Id].HtmlBody, messages[kept.Id].TextBody)));

        // The lead opens the three-month-old email and follows its link: both still land.
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.UserAgent.ParseAdd(Browser);
        using (var pixel = await client.GetAsync($"/t/o/{sent.Token}", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, pixel.StatusCode);
        }

        using (var click = await client.GetAsync($"/t/c/{sent.Token}/0", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Redirect, click.StatusCode);
            Assert.Equal("https://broker.example/offer", click.Headers.Location?.OriginalString);
        }

        var tracked = (await app.MessagesOfAsync(ib.TenantId)).Single(m => m.Id == sent.Id);
        Assert.Equal((1, 1), (tracked.OpenCount, tracked.ClickCount));
        Assert.Equal(LeadStatus.Engaged, (await app.LeadsOfAsync(ib.TenantId)).Single(l => l.Id == lead).Status);

        Assert.Equal(0, (await app.PruneAsync()).EmailBodies);
    }

    [Fact]
    public async Task Prune_DeletesStepsOfLongFinishedRuns_AndKeepsEveryStepOfRunsThatCanStillMove()
    {
        var app = await StartAppAsync();
        var ib = await app.SeedIbAsync("steps@retention.test", "Steps IB");
        var captured = new WorkflowTrigger(TriggerKind.LeadCaptured, null);
        var quick = await app.PublishWorkflowAsync(ib.TenantId, "Quick", captured, [new AddTagStep("quick-1"), new AddTagStep("quick-2")]);
        var slow = await app.PublishWorkflowAsync(ib.TenantId, "Slow", captured, [new AddTagStep("slow-1"), new WaitStep(100, WaitUnit.Days), new AddTagStep("slow-2")]);
        var waiting = await app.PublishWorkflowAsync(ib.TenantId, "Waiting", captured, [new AddTagStep("waiting-1"), new WaitStep(365, WaitUnit.Days), new AddTagStep("waiting-2")]);
        var paused = await app.PublishWorkflowAsync(ib.TenantId, "Paused", captured, [new AddTagStep("paused-1"), new WaitStep(1, WaitUnit.Days), new AddTagStep("paused-2")]);
        await app.CaptureAsync(ib.TenantId, new LeadInput { Email = "stepper@example.com" });
        await Eventually.HoldsAsync(
            async () => await RunStatusesAsync(app, ib.TenantId) is { Count: 4 } s && s[quick] == RunStatus.Completed && s[slow] == RunStatus.Waiting && s[waiting] == RunStatus.Waiting && s[paused] == RunStatus.Waiting,
            "one run completes and three wait");
        await TurnOffAsync(app, ib.TenantId, paused);

        // 101 days on, the slow run finishes. 200 days on, the quick run has been over for 200 days and the slow one
        // for 99 (its first step, 200 days old, goes with it later, not now), while the waiting run still waits
        // (365 days) and the paused one stays paused.
        _clock.Advance(TimeSpan.FromDays(101));
        await app.SweepRunsAsync();
        await Eventually.HoldsAsync(async () => (await RunStatusesAsync(app, ib.TenantId))[slow] == RunStatus.Completed, "the slow run completes");
        _clock.Advance(TimeSpan.FromDays(99));
        var runs = await app.RunsOfAsync(ib.TenantId);
        var before = await StepCountsAsync(app, ib.TenantId, runs);
        Assert.Equal([2, 3, 2, 2], new[] { quick, slow, waiting, paused }.Select(w => before[w]));

        Assert.Equal(2, (await app.PruneAsync()).RunSteps);

        var after = await StepCountsAsync(app, ib.TenantId, runs);
        Assert.Equal([0, 3, 2, 2], new[] { quick, slow, waiting, paused }.Select(w => after[w]));
        Assert.Equal(RunStatus.Paused, (await RunStatusesAsync(app, ib.TenantId))[paused]);
        Assert.Equal(RunStatus.Completed, (await RunStatusesAsync(app, ib.TenantId))[quick]);
    }

    [Fact]
    public async Task Prune_DeletesOldSettledInboxEvents_AndKeepsDeadLetteredLiveAndRecentOnes()
    {
        var app = await StartAppAsync();
        var ib = await app.SeedIbAsync("inbox@retention.test", "Inbox IB");
        var old = Now - TimeSpan.FromDays(31);
        var processed = RetentionRows.Event(InboundStatus.Processed, old, old, ib.TenantId);
        var ignored = RetentionRows.Event(InboundStatus.Ignored, old, old);
        var rejectedOnArrival = RetentionRows.Event(InboundStatus.Rejected, old, processedAt: null);
        var deadLettered = RetentionRows.Event(InboundStatus.DeadLettered, old, old);
        var pending = RetentionRows.Event(InboundStatus.Pending, old, processedAt: null);
        var processing = RetentionRows.Event(InboundStatus.Processing, old, processedAt: null);
        var recent = RetentionRows.Event(InboundStatus.Processed, Now - TimeSpan.FromDays(2), Now - TimeSpan.FromDays(2));
        var processedLate = RetentionRows.Event(InboundStatus.Processed, Now - TimeSpan.FromDays(40), Now - TimeSpan.FromDays(29));
        await app.AddRowsAsync(ib.TenantId, processed, ignored, rejectedOnArrival, deadLettered, pending, processing, recent, processedLate);

        Assert.Equal(new RetentionResult(0, 0, 3, 0), await app.PruneAsync());

        var left = await app.AsTenantAsync(ib.TenantId, db => db.InboundEvents.Select(e => e.Id).ToListAsync(TestContext.Current.CancellationToken));
        Assert.Equal(new[] { deadLettered, pending, processing, recent, processedLate }.Select(e => e.Id).Order(), left.Order());
    }

    [Fact]
    public async Task Prune_DeletesOldDoneOutboxRows_AndKeepsFailedDeadLetteredPendingAndAnUnconfirmedEmailsDeliveryRow()
    {
        var app = await StartAppAsync();
        var ib = await app.SeedIbAsync("outbox@retention.test", "Outbox IB");
        var old = Now - TimeSpan.FromDays(31);
        var unconfirmed = RetentionRows.Email(EmailStatus.Unconfirmed, old);
        var delivered = RetentionRows.Email(EmailStatus.Sent, old, sentAt: old);
        var done = RetentionRows.Operation(OutboundStatus.Done, old, old);
        var deliveredRow = RetentionRows.Operation(OutboundStatus.Done, old, old, delivered.Id);
        var unconfirmedRow = RetentionRows.Operation(OutboundStatus.Done, old, old, unconfirmed.Id);
        var doneRecently = RetentionRows.Operation(OutboundStatus.Done, old, Now - TimeSpan.FromDays(2));
        var failed = RetentionRows.Operation(OutboundStatus.Failed, old, completedAt: null);
        var deadLettered = RetentionRows.Operation(OutboundStatus.DeadLettered, old, completedAt: null);
        var pending = RetentionRows.Operation(OutboundStatus.Pending, old, completedAt: null);
        await app.AddRowsAsync(ib.TenantId, unconfirmed, delivered);
        await app.AddRowsAsync(ib.TenantId, done, deliveredRow, unconfirmedRow, doneRecently, failed, deadLettered, pending);

        Assert.Equal(new RetentionResult(0, 0, 0, 2), await app.PruneAsync());

        var left = await app.AsTenantAsync(ib.TenantId, db => db.OutboundOperations.Select(o => o.Id).ToListAsync(TestContext.Current.CancellationToken));
        Assert.Equal(new[] { unconfirmedRow, doneRecently, failed, deadLettered, pending }.Select(o => o.Id).Order(), left.Order());

        // The admin can still send the unconfirmed email again: its delivery row goes back to the outbox and delivers it.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<DeadLetters>()
                .RetryAsync("retention-test-admin", DeadLetterKind.UnconfirmedEmail, unconfirmed.Id, TestContext.Current.CancellationToken));
        }

        await Eventually.HoldsAsync(
            async () => (await app.MessagesOfAsync(ib.TenantId)).Single(m => m.Id == unconfirmed.Id).Status == EmailStatus.Sent,
            "the unconfirmed email is sent again");
    }

    [Fact]
    public async Task Prune_WorksInStatementsOfAtMostBatchSizeRows_AcrossTenantsAndMoreRowsThanOneBatch()
    {
        var app = await StartAppAsync(new Dictionary<string, string?> { ["Retention:BatchSize"] = "4" });
        var john = await app.SeedIbAsync("john@retention.test", "John");
        var sarah = await app.SeedIbAsync("sarah@retention.test", "Sarah");
        await app.PublishWorkflowAsync(john.TenantId, "Tags", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [.. Enumerable.Range(1, 5).Select(i => new AddTagStep($"tag-{i}"))]);
        await app.CaptureAsync(john.TenantId, new LeadInput { Email = "tagged@example.com" });
        await Eventually.HoldsAsync(async () => (await app.RunsOfAsync(john.TenantId)).SingleOrDefault()?.Status == RunStatus.Completed, "the run completes");

        _clock.Advance(TimeSpan.FromDays(200));
        var old = Now - TimeSpan.FromDays(100);
        await app.AddRowsAsync(john.TenantId, [.. Many(5, () => RetentionRows.Email(EmailStatus.Sent, old, old)), .. Many(6, () => RetentionRows.Operation(OutboundStatus.Done, old, old))]);
        await app.AddRowsAsync(sarah.TenantId, [.. Many(6, () => RetentionRows.Email(EmailStatus.Sent, old, old)), .. Many(3, () => RetentionRows.Operation(OutboundStatus.Done, old, old))]);
        await app.AddRowsAsync(john.TenantId, [.. Many(10, () => RetentionRows.Event(InboundStatus.Processed, old, old))]);

        Assert.Equal(new RetentionResult(11, 5, 10, 9), await app.PruneAsync());

        // No statement changes more than 4 rows: John's 5 bodies take a full batch and a short one, Sarah's 6 likewise;
        // John's 5 steps take 4 and 1 (Sarah has none: one statement finds nothing); 10 events take 4, 4, 2.
        Assert.All(_statements.Bounded, s => Assert.InRange(s.Rows, 0, 4));
        Assert.Equal([1, 2, 4, 4], _statements.RowsOf("EmailMessages").Order());
        Assert.Equal([0, 1, 4], _statements.RowsOf("RunSteps").Order());
        Assert.Equal([4, 4, 2], _statements.RowsOf("InboundEvents"));
        Assert.Equal([2, 3, 4], _statements.RowsOf("OutboundOperations").Order());

        Assert.Equal(new RetentionResult(0, 0, 0, 0), await app.PruneAsync());
        Assert.All(await app.MessagesOfAsync(john.TenantId), m => Assert.Equal(RetentionPruner.RemovedHtmlBody, m.HtmlBody));
        Assert.All(await app.MessagesOfAsync(sarah.TenantId), m => Assert.Equal(RetentionPruner.RemovedHtmlBody, m.HtmlBody));
    }

    [Fact]
    public async Task Prune_WithEveryPeriodZero_KeepsEverythingForever()
    {
        var app = await StartAppAsync(new Dictionary<string, string?>
        {
            ["Retention:EmailBodies"] = "00:00:00",
            ["Retention:RunSteps"] = "00:00:00",
            ["Retention:InboxEvents"] = "00:00:00",
            ["Retention:OutboxOperations"] = "00:00:00",
        });
        var ib = await app.SeedIbAsync("forever@retention.test", "Forever IB");
        await app.PublishWorkflowAsync(ib.TenantId, "Tag", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new AddTagStep("kept")]);
        await app.CaptureAsync(ib.TenantId, new LeadInput { Email = "kept@example.com" });
        await Eventually.HoldsAsync(async () => (await app.RunsOfAsync(ib.TenantId)).SingleOrDefault()?.Status == RunStatus.Completed, "the run completes");

        _clock.Advance(TimeSpan.FromDays(3000));
        var old = Now - TimeSpan.FromDays(2000);
        await app.AddRowsAsync(ib.TenantId, RetentionRows.Email(EmailStatus.Sent, old, old), RetentionRows.Operation(OutboundStatus.Done, old, old), RetentionRows.Event(InboundStatus.Processed, old, old));

        Assert.Equal(new RetentionResult(0, 0, 0, 0), await app.PruneAsync());

        Assert.Empty(_statements.Bounded);
        Assert.Equal(RetentionRows.HtmlBody, (await app.MessagesOfAsync(ib.TenantId)).Single().HtmlBody);
        Assert.Single(await app.StepsOfAsync(ib.TenantId, (await app.RunsOfAsync(ib.TenantId)).Single().Id));
    }

    [Fact]
    public async Task RetentionJob_IsRecurringHourly_AndLogsWhatItPruned()
    {
        var log = new TestLogSink();
        var app = await StartAppAsync(keepRecurringJob: true, log: log);
        var ib = await app.SeedIbAsync("job@retention.test", "Job IB");
        var old = Now - TimeSpan.FromDays(31);
        await app.AddRowsAsync(ib.TenantId, RetentionRows.Event(InboundStatus.Processed, old, old), RetentionRows.Operation(OutboundStatus.Done, old, old));

        using (var connection = app.Services.GetRequiredService<JobStorage>().GetConnection())
        {
            var recurring = Assert.Single(connection.GetRecurringJobs(), j => j.Id == RetentionJob.RecurringId);
            Assert.Equal((Cron.Hourly(), JobQueues.Default), (recurring.Cron, recurring.Queue));
        }

        app.Services.GetRequiredService<IRecurringJobManager>().Trigger(RetentionJob.RecurringId);

        await Eventually.HoldsAsync(
            () => Task.FromResult(Pruned(log, "InboxEvents") == 1 && Pruned(log, "OutboxOperations") == 1),
            "the job logs one inbox event and one outbox row pruned");
        Assert.Empty(await app.AsTenantAsync(ib.TenantId, db => db.InboundEvents.ToListAsync(TestContext.Current.CancellationToken)));
    }

    [Theory]
    [InlineData("Retention:InboxEvents", "3.00:00:00", "Retention:InboxEvents")]
    [InlineData("Retention:EmailBodies", "00:30:00", "Retention:EmailBodies")]
    [InlineData("Retention:RunSteps", "5000.00:00:00", "Retention:RunSteps")]
    [InlineData("Retention:BatchSize", "0", "BatchSize")]
    public async Task BadSetting_StopsStartUp_WithAMessageNamingIt(string key, string value, string named)
    {
        await using var app = new ClientFlowAppFactory(_database, settings: new Dictionary<string, string?> { [key] = value });

        var error = Assert.ThrowsAny<Exception>(() => app.Services);

        Assert.Contains(named, error.ToString(), StringComparison.Ordinal);
    }

    private async Task<ClientFlowAppFactory> StartAppAsync(IReadOnlyDictionary<string, string?>? settings = null, bool keepRecurringJob = false, TestLogSink? log = null)
    {
        _app = new ClientFlowAppFactory(_database, settings: settings, configureServices: services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(_clock);
            services.ConfigureDbContext<SqliteClientFlowDbContext>(o => o.AddInterceptors(_statements));
            if (log is not null)
            {
                services.AddSingleton<ILogEventSink>(log);
            }
        });
        await _app.StartAsync();
        if (!keepRecurringJob)
        {
            // The test runs the pruner itself: the hourly run, firing at the top of the hour, would split its counts.
            _app.Services.GetRequiredService<IRecurringJobManager>().RemoveIfExists(RetentionJob.RecurringId);
        }

        return _app;
    }

    private static List<object> Many(int count, Func<object> row) => [.. Enumerable.Range(0, count).Select(_ => row())];

    private static Task<Dictionary<Guid, RunStatus>> RunStatusesAsync(ClientFlowAppFactory app, Guid tenantId) =>
        app.AsTenantAsync(tenantId, db => db.WorkflowRuns.ToDictionaryAsync(r => r.WorkflowId, r => r.Status, TestContext.Current.CancellationToken));

    /// <summary>Steps per workflow (each has one run here).</summary>
    private static async Task<Dictionary<Guid, int>> StepCountsAsync(ClientFlowAppFactory app, Guid tenantId, List<WorkflowRun> runs)
    {
        var counts = new Dictionary<Guid, int>();
        foreach (var run in runs)
        {
            counts[run.WorkflowId] = (await app.StepsOfAsync(tenantId, run.Id)).Count;
        }

        return counts;
    }

    private static async Task TurnOffAsync(ClientFlowAppFactory app, Guid tenantId, Guid workflowId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(tenantId))
        {
            var workflow = await scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>().Workflows.SingleAsync(w => w.Id == workflowId, TestContext.Current.CancellationToken);
            Assert.Null(await scope.ServiceProvider.GetRequiredService<WorkflowEditor>().SetOnAsync(workflow, on: false, TestContext.Current.CancellationToken));
        }
    }

    /// <summary>The sum of one count over every line the retention job logged.</summary>
    private static int Pruned(TestLogSink log, string property) => log.Events
        .Where(e => e.Properties.GetValueOrDefault("SourceContext") is ScalarValue { Value: string source } && source == typeof(RetentionJob).FullName)
        .Select(e => e.Properties.GetValueOrDefault(property))
        .OfType<ScalarValue>()
        .Sum(v => Convert.ToInt32(v.Value, System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// Every bounded bulk statement the app sent (a DELETE or UPDATE with a LIMIT: only the pruner writes that way),
    /// with the table it wrote and the rows it changed.
    /// </summary>
    private sealed partial class StatementLog : DbCommandInterceptor
    {
        private readonly ConcurrentQueue<(string Sql, int Rows)> _executed = new();

        public IEnumerable<(string Table, int Rows)> Bounded => _executed
            .Select(s => (Match: Target().Match(s.Sql), s.Sql, s.Rows))
            .Where(s => s.Match.Success && s.Sql.Contains("LIMIT", StringComparison.Ordinal))
            .Select(s => (s.Match.Groups["table"].Value, s.Rows));

        public List<int> RowsOf(string table) => [.. Bounded.Where(s => s.Table == table).Select(s => s.Rows)];

        public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
        {
            _executed.Enqueue((command.CommandText, result));
            return result;
        }

        public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            _executed.Enqueue((command.CommandText, result));
            return ValueTask.FromResult(result);
        }

        /// <summary>The table a DELETE or UPDATE statement writes.</summary>
        [GeneratedRegex("""^(?:DELETE FROM|UPDATE) "(?<table>\w+)" """)]
        private static partial Regex Target();
    }
}
