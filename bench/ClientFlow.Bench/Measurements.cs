using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Webhooks;
using ClientFlow.Automation.Workflows;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Bench;

/// <summary>Each figure of the report, measured on the running app over real HTTP and real jobs.</summary>
public static class Measurements
{
    /// <summary>
    /// Signed Systeme.io events stored and acknowledged (202), each adding a tag to one of the IB's leads so the
    /// inbox jobs work while the load runs. Baseline: the same host answering a signed no-op (<see cref="SignedNoOp"/>) under the same load.
    /// </summary>
    public static async Task WebhookIngestAsync(BenchApp app, BenchSettings settings, Report report, CancellationToken cancellationToken)
    {
        var ib = await app.SignUpAsync("ingest@bench.test", cancellationToken);
        var leads = Enumerable.Range(0, 100).Select(i => $"ingest{i}@example.com").ToList();
        await app.CaptureManyAsync(ib.TenantId, leads, cancellationToken);

        using var client = app.LoadClient(settings.Concurrency);
        var secret = Encoding.UTF8.GetBytes(BenchApp.WebhookSecret);
        HttpRequestMessage Signed(string path, int i)
        {
            var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
            {
                contact = new { id = 1000 + (i % leads.Count), email = leads[i % leads.Count] },
                tag = new { id = 9, name = $"{ib.TagPrefix}bench-{i % 7}" },
            }));
            var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new("application/json");
            request.Headers.Add("X-Webhook-Signature", Convert.ToHexStringLower(HMACSHA256.HashData(secret, body)));
            request.Headers.Add("X-Webhook-Event", "CONTACT_TAG_ADDED");
            request.Headers.Add("X-Webhook-Message-Id", $"bench-{i}");
            return request;
        }

        Task Processed() => UntilAsync(
            async () => await app.AsTenantAsync(ib.TenantId, db => db.InboundEvents.CountAsync(e => e.Status == InboundStatus.Pending || e.Status == InboundStatus.Processing, cancellationToken)) == 0,
            TimeSpan.FromMinutes(10), cancellationToken, pollEvery: TimeSpan.FromMilliseconds(100));

        var baseline = await LoadAsync(settings.WebhookEvents, settings.Concurrency, i => Signed(SignedNoOp.Path, i), client, cancellationToken);
        await WarmUpAsync(settings.WebhookEvents, settings.Concurrency, i => Signed("/webhooks/systeme", i), client, cancellationToken);
        // The warm-up's events processed first, so the figure starts with an empty inbox and its backlog is its own.
        await Processed();

        // From the first event sent to the last processed: acknowledged is not yet processed, so every event must also
        // end processed, and how fast the inbox got there is shown.
        var processing = Stopwatch.StartNew();
        var cpu = ProcessorTime();
        var ingest = await SendAsync(settings.WebhookEvents, settings.Concurrency, i => Signed("/webhooks/systeme", i), client, cancellationToken);
        await Processed();
        var processed = processing.Elapsed;
        var cpuPerEvent = (ProcessorTime() - cpu) / settings.WebhookEvents;
        var outcomes = await app.AsTenantAsync(ib.TenantId, db => db.InboundEvents.Where(e => e.MessageId.StartsWith("bench-")).GroupBy(e => e.Status).Select(g => new { Status = g.Key, Count = g.Count() }).ToListAsync(cancellationToken));
        if (outcomes.Any(o => o.Status != InboundStatus.Processed))
        {
            throw new InvalidOperationException($"Webhook events ended {string.Join(", ", outcomes.Select(o => $"{o.Count} {o.Status}"))}: all should be processed.");
        }

        report.Add("webhook ingest, req/s", Rate(ingest.PerSecond), Rate(baseline.PerSecond) + " (signed no-op)", ">= 3,000", ingest.PerSecond >= 3000);
        report.Add("webhook ingest, p50 / p99 ms", $"{Ms(ingest.P50Ms)} / {Ms(ingest.P99Ms)}", $"{Ms(baseline.P50Ms)} / {Ms(baseline.P99Ms)}", "p99 <= 50", ingest.P99Ms <= 50);
        report.Add("webhook events processed, per s", Rate(settings.WebhookEvents / processed.TotalSeconds), "-", "-", null);
        report.Add("webhook ingest, CPU µs per event (this process)", Micros(cpuPerEvent), Micros(baseline.CpuPerRequest) + " (signed no-op)", "-", null);
    }

    /// <summary>The capture API with unique emails, as a busy IB's integration posts them.</summary>
    public static async Task CaptureApiAsync(BenchApp app, BenchSettings settings, Report report, CancellationToken cancellationToken)
    {
        var ib = await app.SignUpAsync("capture@bench.test", cancellationToken);
        using var client = app.LoadClient(settings.Concurrency);
        var capture = await LoadAsync(settings.Captures, settings.Concurrency, i =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/leads")
            {
                Content = new StringContent(JsonSerializer.Serialize(new { email = $"api{i}@example.com", ib_type = "forex-ib", monthly_leads = "500+" }), Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("X-Api-Key", ib.ApiKey);
            return request;
        }, client, cancellationToken);
        report.Add("capture API, leads/s", Rate(capture.PerSecond), "-", "-", null);
        report.Add("capture API, p50 / p99 ms", $"{Ms(capture.P50Ms)} / {Ms(capture.P99Ms)}", "-", "-", null);
    }

    /// <summary>
    /// Short waits fired by the app's own Hangfire delayed jobs on the real clock: each run waits at a one-minute wait
    /// whose due time is moved a few seconds ahead (the product's shortest wait is a minute) and handed to the real
    /// scheduler, as the engine does when a wait begins. Figure: lateness of the step after the wait.
    /// </summary>
    public static async Task WaitLatenessAsync(BenchApp app, BenchSettings settings, Report report, CancellationToken cancellationToken)
    {
        var ib = await app.SignUpAsync("waits@bench.test", cancellationToken);
        await app.PublishAsync(ib.TenantId, "Short waits", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new WaitStep(1, WaitUnit.Minutes), new AddTagStep("fired")], cancellationToken);
        await app.CaptureManyAsync(ib.TenantId, Enumerable.Range(0, settings.Waits).Select(i => $"wait{i}@example.com"), cancellationToken);
        await UntilAsync(async () => await app.AsTenantAsync(ib.TenantId, db => db.WorkflowRuns.CountAsync(r => r.Status == RunStatus.Waiting, cancellationToken)) == settings.Waits, TimeSpan.FromMinutes(5), cancellationToken);

        var runs = await app.AsTenantAsync(ib.TenantId, db => db.WorkflowRuns.Select(r => r.Id).ToListAsync(cancellationToken));
        var scheduler = app.Services.GetRequiredService<IRunScheduler>();
        var start = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(3);
        var spread = Math.Max(5, settings.Waits / 50);
        var due = new Dictionary<Guid, DateTimeOffset>();
        for (var i = 0; i < runs.Count; i++)
        {
            var dueAt = start + TimeSpan.FromMilliseconds(spread * 1000.0 * i / runs.Count);
            var runId = runs[i];
            await app.AsTenantAsync(ib.TenantId, db => db.WorkflowRuns.Where(r => r.Id == runId)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.DueAt, dueAt), cancellationToken));
            scheduler.ScheduleWake(ib.TenantId, dueAt, "bench wait");
            due[runId] = dueAt;
        }

        await UntilAsync(async () => await app.AsTenantAsync(ib.TenantId, db => db.WorkflowRuns.CountAsync(r => r.Status == RunStatus.Completed, cancellationToken)) == settings.Waits, TimeSpan.FromMinutes(10), cancellationToken);
        var fired = await app.AsTenantAsync(ib.TenantId, db => db.RunSteps.Where(s => s.StepIndex == 1).Select(s => new { s.RunId, s.ExecutedAt }).ToListAsync(cancellationToken));
        var lateness = fired.Select(f => (f.ExecutedAt - due[f.RunId]).TotalMilliseconds).Order().ToArray();
        var early = lateness.Count(l => l < 0);
        var p50 = Stats.Percentile(lateness, 0.50) / 1000;
        var p99 = Stats.Percentile(lateness, 0.99) / 1000;
        report.Add($"wait lateness over {lateness.Length} waits, early", early.ToString(CultureInfo.InvariantCulture), "-", "0", early == 0);
        report.Add("wait lateness, p50 / p99 s", string.Create(CultureInfo.InvariantCulture, $"{p50:0.00} / {p99:0.00}"), "-", "p99 <= 1.5", p99 <= 1.5);
    }

    /// <summary>
    /// Due runs advanced per second (each takes its step after a wait: one transaction with its effects and its
    /// RunStep), against the baseline of Hangfire empty jobs per second on the same storage and server.
    /// </summary>
    public static async Task EngineThroughputAsync(BenchApp app, BenchSettings settings, Report report, CancellationToken cancellationToken)
    {
        // The baseline is Hangfire on idle queues: jobs an earlier figure left queued (outbox and inbox work) would be
        // measured instead, on PostgreSQL storage ahead of the default queue.
        var monitoring = app.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        await UntilAsync(() => Task.FromResult(monitoring.Queues().Sum(q => q.Length) == 0 && monitoring.ProcessingCount() == 0), TimeSpan.FromMinutes(30), cancellationToken, pollEvery: TimeSpan.FromSeconds(1));
        var jobs = app.Services.GetRequiredService<IBackgroundJobClient>();
        EmptyJob.Reset();
        var empty = Stopwatch.StartNew();
        for (var i = 0; i < settings.DueRuns; i++)
        {
            jobs.Enqueue(() => EmptyJob.Run());
        }

        await UntilAsync(() => Task.FromResult(EmptyJob.Count >= settings.DueRuns), TimeSpan.FromMinutes(10), cancellationToken);
        var emptyPerSecond = settings.DueRuns / empty.Elapsed.TotalSeconds;

        // An IB with the 20 templates the default limit allows, each with a realistic body, as a real IB has them.
        var ib = await app.SignUpAsync("engine@bench.test", cancellationToken);
        await app.CreateTemplatesAsync(ib.TenantId, 20, cancellationToken);
        await app.PublishAsync(ib.TenantId, "Due runs", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new WaitStep(1, WaitUnit.Minutes), new AddTagStep("advanced")], cancellationToken);
        await app.CaptureManyAsync(ib.TenantId, Enumerable.Range(0, settings.DueRuns).Select(i => $"engine{i}@example.com"), cancellationToken);
        await UntilAsync(async () => await app.AsTenantAsync(ib.TenantId, db => db.WorkflowRuns.CountAsync(r => r.Status == RunStatus.Waiting, cancellationToken)) == settings.DueRuns, TimeSpan.FromMinutes(5), cancellationToken);

        // Every wait ends at the same moment, as waits begun by one import batch do: each is handed to the scheduler as
        // the engine does when a wait begins, and the figure runs from that moment until every run has taken its step
        // (the scheduler's poll, up to a second, included: 5,000 runs make it a small share).
        var dueAt = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(5);
        await app.AsTenantAsync(ib.TenantId, db => db.WorkflowRuns.ExecuteUpdateAsync(s => s.SetProperty(r => r.DueAt, dueAt), cancellationToken));
        var scheduler = app.Services.GetRequiredService<IRunScheduler>();
        for (var i = 0; i < settings.DueRuns; i++)
        {
            scheduler.ScheduleWake(ib.TenantId, dueAt, "bench due run");
        }

        var untilDue = dueAt - TimeProvider.System.GetUtcNow();
        await Task.Delay(untilDue > TimeSpan.Zero ? untilDue : TimeSpan.Zero, cancellationToken);
        var engine = Stopwatch.StartNew();
        await UntilAsync(async () => await app.AsTenantAsync(ib.TenantId, db => db.WorkflowRuns.CountAsync(r => r.Status == RunStatus.Completed, cancellationToken)) == settings.DueRuns, TimeSpan.FromMinutes(10), cancellationToken);
        var runsPerSecond = settings.DueRuns / engine.Elapsed.TotalSeconds;
        report.Add($"engine, due runs advanced/s ({settings.DueRuns})", Rate(runsPerSecond), Rate(emptyPerSecond) + " (empty jobs)", ">= 2x empty jobs", runsPerSecond >= 2 * emptyPerSecond);
    }

    /// <summary>
    /// A CSV import with the two workflows of John's "Workflow Setup" in the seed notes ON (Welcome Sequence on
    /// <c>demo-request</c>, every row; VIP Lead Alert on <c>high-volume</c>, a third of them; the visual guide's SMS alert
    /// OFF), as a busy IB imports: the time until every row is stored, and until every run the import enrolled has taken
    /// its first step (the Welcome's wait begun, the VIP alert's email queued).
    /// </summary>
    public static async Task CsvImportAsync(BenchApp app, BenchSettings settings, Report report, CancellationToken cancellationToken)
    {
        var ib = await app.SignUpAsync("import@bench.test", cancellationToken);
        await app.SeedDemoWorkflowsAsync(ib.TenantId, "John", cancellationToken);
        await app.SetWorkflowOnAsync(ib.TenantId, "High-Value Lead Alert", on: false, cancellationToken);
        string[] types = ["forex-ib", "crypto-affiliate", "stock-broker", "multi-asset"];
        string[] volumes = ["<100", "100-499", "500+"];
        var csv = new StringBuilder("email,name,phone,ib_type,monthly_leads,broker_network\n");
        for (var i = 0; i < settings.ImportRows; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"lead{i}@import.example.com,Lead {i},+44 20 7946 {i % 10_000:0000},{types[i % types.Length]},{volumes[i % volumes.Length]},Broker {i % 17}\n");
        }

        var clock = Stopwatch.StartNew();
        var importId = await app.StartImportAsync(ib.TenantId, "leads.csv", Encoding.UTF8.GetBytes(csv.ToString()), cancellationToken);
        await UntilAsync(async () => await app.AsTenantAsync(ib.TenantId, db => db.LeadImports.AnyAsync(i => i.Id == importId && i.Status == Automation.Leads.Import.LeadImportStatus.Completed, cancellationToken)), TimeSpan.FromMinutes(60), cancellationToken);
        var stored = clock.Elapsed;
        var leads = await app.AsTenantAsync(ib.TenantId, db => db.Leads.CountAsync(cancellationToken));
        if (leads != settings.ImportRows)
        {
            throw new InvalidOperationException($"The import stored {leads} of {settings.ImportRows} rows.");
        }

        // Runs are enrolled with their lead, so all exist once the rows are stored; a run has taken its first step once it
        // has a RunStep. A run that has taken its step keeps it, so each look walks the runs in key order, a thousand at a
        // time, from the first one still waiting at the last look, and stops at the first one still waiting now. Asking
        // about every run each second cost PostgreSQL 0.37 s a look, a fifth of the machine while the first steps ran.
        var expectedRuns = await app.AsTenantAsync(ib.TenantId, db => db.WorkflowRuns.CountAsync(cancellationToken));
        var from = Guid.Empty;
        await UntilAsync(
            async () =>
            {
                while (true)
                {
                    var page = await app.AsTenantAsync(ib.TenantId, db => db.WorkflowRuns
                        .Where(r => r.Id.CompareTo(from) >= 0).OrderBy(r => r.Id).Select(r => r.Id).Take(1000).ToListAsync(cancellationToken));
                    var stepped = (await app.AsTenantAsync(ib.TenantId, db => db.RunSteps
                        .Where(s => page.Contains(s.RunId)).Select(s => s.RunId).Distinct().ToListAsync(cancellationToken))).ToHashSet();
                    var waiting = page.FindIndex(id => !stepped.Contains(id));
                    if (waiting >= 0)
                    {
                        from = page[waiting];
                        return false;
                    }

                    if (page.Count < 1000)
                    {
                        return true;
                    }

                    from = page[^1];
                }
            },
            TimeSpan.FromMinutes(60),
            cancellationToken,
            pollEvery: TimeSpan.FromSeconds(1));
        var firstSteps = clock.Elapsed;

        var rows = settings.ImportRows.ToString("N0", CultureInfo.InvariantCulture);
        report.Add($"CSV import of {rows} rows, 2 workflows ON: all stored, s", Seconds(stored), "-", "<= 60", stored <= TimeSpan.FromSeconds(60));
        report.Add($"CSV import: first step of all {expectedRuns.ToString("N0", CultureInfo.InvariantCulture)} runs, s", Seconds(firstSteps), "-", "<= 300", firstSteps <= TimeSpan.FromMinutes(5));
    }

    /// <summary>
    /// Page latency as an IB sees it (one signed-in browser, pages one after another) with 100,000 leads of theirs,
    /// each with its runs and emails, among 1,000,000 leads of ten IBs. Every answer must be 200.
    /// </summary>
    public static async Task PageLatencyAsync(BenchApp app, BenchSettings settings, Report report, CancellationToken cancellationToken)
    {
        var seeding = Stopwatch.StartNew();
        var ib = await app.SignUpAsync("pages@bench.test", cancellationToken);
        await app.SeedDemoWorkflowsAsync(ib.TenantId, "John", cancellationToken);
        await PageData.SeedLeadsAsync(app, ib.TenantId, "pages.example.com", settings.LeadsPerIb, cancellationToken);
        await PageData.SeedHistoryAsync(app, ib.TenantId, cancellationToken);
        for (var other = 1; other < 10; other++)
        {
            var neighbour = await app.SignUpAsync($"pages{other}@bench.test", cancellationToken);
            await PageData.SeedLeadsAsync(app, neighbour.TenantId, $"ib{other}.example.com", settings.LeadsPerIb, cancellationToken);
        }

        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pages: seeded {10 * settings.LeadsPerIb:N0} leads in {seeding.Elapsed.TotalSeconds:0} s"));
        var lead = await app.AsTenantAsync(ib.TenantId, db => db.Leads.Where(l => l.Email == $"lead{settings.LeadsPerIb / 2}@pages.example.com").Select(l => l.Id).SingleAsync(cancellationToken));
        using var browser = await app.SignedInClientAsync("pages@bench.test", cancellationToken);
        // A deep page: the one after the lead half-way down the list, as "Older" reaches it (keyset paging).
        var middle = await app.AsTenantAsync(ib.TenantId, db => db.Leads.OrderByDescending(l => l.CreatedAt).ThenBy(l => l.Email).Skip(settings.LeadsPerIb / 2).FirstAsync(cancellationToken));
        var deep = "/Leads?older=" + Uri.EscapeDataString(Web.Pages.Leads.IndexModel.LeadCursor.Of(middle));
        string[] pages = ["/", "/Leads", $"/Leads?q=lead{settings.LeadsPerIb / 3}", $"/Leads/{lead}", "/Workflows", deep];
        var leads = settings.LeadsPerIb.ToString("N0", CultureInfo.InvariantCulture);
        foreach (var page in pages)
        {
            var latencies = new List<double>();
            for (var i = 0; i < settings.PageRequests + 5; i++)
            {
                var sent = Stopwatch.GetTimestamp();
                using var response = await browser.GetAsync(page, cancellationToken);
                await response.Content.ReadAsByteArrayAsync(cancellationToken);
                if (response.StatusCode != System.Net.HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"GET {page} answered {(int)response.StatusCode}");
                }

                if (i >= 5)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                }
            }

            var sorted = latencies.Order().ToArray();
            var p95 = Stats.Percentile(sorted, 0.95);
            var name = page == deep ? "/Leads?older={half-way}" : page.Replace(lead.ToString(), "{lead}", StringComparison.Ordinal);
            report.Add($"page {name} ({leads} leads/IB), p50 / p95 ms", $"{Ms(Stats.Percentile(sorted, 0.50))} / {Ms(p95)}", "-", "p95 <= 100", p95 <= 100);
        }
    }

    public static void PeakWorkingSet(Report report)
    {
        using var process = Process.GetCurrentProcess();
        var mib = process.PeakWorkingSet64 / (1024.0 * 1024.0);
        report.Add("peak working set (app and load in one process), MiB", mib.ToString("0", CultureInfo.InvariantCulture), "-", "<= 500", mib <= 500);
    }

    /// <summary>
    /// <paramref name="count"/> requests measured once the app is warm. Warm means the JIT has settled: warm-up rounds
    /// are sent until <see cref="SettledRounds"/> in a row each compile fewer than <see cref="SettledJitMethods"/> methods
    /// (tiered recompilations included), at most <see cref="MaxWarmUpRounds"/>. A round of a tenth of the count (20 to 1,000) is indices from
    /// <paramref name="count"/> on, so warm-up requests never repeat a measured one.
    /// </summary>
    /// <remarks>
    /// A long-running node serves from fully optimized code. Measured with a fixed 500 requests of warm-up, the ingest
    /// figure was the tiered JIT's, not the app's: 874 req/s in the first 10,000 events, 2,600 to 2,900 once rounds no
    /// longer compiled (2026-12-01 10:30).
    /// </remarks>
    private static async Task<Stats> LoadAsync(int count, int concurrency, Func<int, HttpRequestMessage> request, HttpClient client, CancellationToken cancellationToken)
    {
        await WarmUpAsync(count, concurrency, request, client, cancellationToken);
        return await SendAsync(count, concurrency, request, client, cancellationToken);
    }

    /// <inheritdoc cref="LoadAsync" path="/summary"/>
    private static async Task WarmUpAsync(int count, int concurrency, Func<int, HttpRequestMessage> request, HttpClient client, CancellationToken cancellationToken)
    {
        var round = Math.Clamp(count / 10, 20, 1_000);
        var warmUp = Stopwatch.StartNew();
        var rounds = 0;
        var quiet = 0;
        long compiled;
        do
        {
            var before = JitInfo.GetCompiledMethodCount();
            var offset = count + rounds * round;
            await SendAsync(round, concurrency, i => request(offset + i), client, cancellationToken);
            compiled = JitInfo.GetCompiledMethodCount() - before;
            quiet = compiled < SettledJitMethods ? quiet + 1 : 0;
            rounds++;
        }
        while (quiet < SettledRounds && rounds < MaxWarmUpRounds);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  warm-up: {rounds} round(s) of {round} in {warmUp.Elapsed.TotalSeconds:0.0} s, {compiled} method(s) compiled in the last"));
    }

    /// <summary>A warm-up round that compiles fewer methods than this is quiet.</summary>
    private const int SettledJitMethods = 10;

    /// <summary>
    /// Quiet rounds in a row that count as settled. One was not enough: the runtime holds promotions back while new
    /// methods are still being compiled, so a quiet round could come between two bursts, and a third of the measured
    /// figures then had the tiering thread take 30 % of the CPU (2026-12-01 12:20).
    /// </summary>
    private const int SettledRounds = 3;

    private const int MaxWarmUpRounds = 150;

    private static async Task<Stats> SendAsync(int count, int concurrency, Func<int, HttpRequestMessage> request, HttpClient client, CancellationToken cancellationToken)
    {
        var latencies = new ConcurrentBag<double>();
        var next = -1;
        var clock = Stopwatch.StartNew();
        var cpu = ProcessorTime();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var i && i < count)
            {
                using var message = request(i);
                var sent = Stopwatch.GetTimestamp();
                using var response = await client.SendAsync(message, cancellationToken);
                latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"{message.Method} {message.RequestUri} answered {(int)response.StatusCode}");
                }
            }
        }));
        return Stats.Of(latencies, clock.Elapsed, ProcessorTime() - cpu);
    }

    /// <summary>
    /// The CPU time this process (the app and the load it is sent) has used: a figure the machine's other tenants move
    /// less than they move throughput. On PostgreSQL the database server's time is not in it.
    /// </summary>
    private static TimeSpan ProcessorTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, CancellationToken cancellationToken, TimeSpan? pollEvery = null)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"Not done after {timeout}.");
            }

            await Task.Delay(pollEvery ?? TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }

    private static string Rate(double perSecond) => perSecond.ToString("N0", CultureInfo.InvariantCulture);

    private static string Seconds(TimeSpan elapsed) => elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);

    private static string Ms(double ms) => ms.ToString("0.0", CultureInfo.InvariantCulture);

    private static string Micros(TimeSpan time) => time.TotalMicroseconds.ToString("N0", CultureInfo.InvariantCulture);
}
