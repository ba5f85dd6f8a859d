using System.Collections.Concurrent;
using System.Net;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Systeme;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using ClientFlow.Tests.Infrastructure.Smtp;
using ClientFlow.Tests.Infrastructure.Systeme;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Postgres;

/// <summary>
/// Two app hosts on one PostgreSQL database and one Hangfire storage, as two nodes run in production (each with its
/// own Hangfire server, in-process caches and clock), against a slow SMTP server and the Systeme.io emulator.
/// </summary>
public sealed class TwoNodeTests : IAsyncLifetime
{
    private const int Leads = 12;
    private const int RequestsPerSecond = 3;
    private const int GrantsPerNode = 6;
    private static readonly TimeSpan ArrivalWindow = TimeSpan.FromSeconds(5);

    private readonly PostgresTestDatabase _database = new();
    private readonly ConcurrentDictionary<Guid, bool> _heldByTheDyingNode = new();
    private SystemeEmulator _emulator = null!;
    private SmtpTestServer _smtp = null!;
    private ClientFlowAppFactory _nodeA = null!;
    private ClientFlowAppFactory _nodeB = null!;

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        _emulator = await SystemeEmulator.StartAsync();
        _smtp = SmtpTestServer.Start();
        _smtp.ReplyDelay = TimeSpan.FromMilliseconds(300);
        var settings = new Dictionary<string, string?>(_smtp.AppSettings())
        {
            ["Systeme:BaseUrl"] = _emulator.BaseUrl.ToString(),
            ["Systeme:ApiKey"] = SystemeEmulator.ApiKey,
            ["Systeme:MaxRequestsPerSecond"] = RequestsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Outbox:Lease"] = "00:00:10",
            ["Engine:Lease"] = "00:00:10",
            ["Outbox:MaxBackoff"] = "00:00:02",
        };
        _nodeA = new ClientFlowAppFactory(_database, settings: settings);
        await _nodeA.StartAsync();

        // Node B dies mid-delivery: each message it hands to the server is accepted there, and then the node hangs
        // until it is stopped, never recording the outcome.
        _nodeB = new ClientFlowAppFactory(_database, settings: settings, configureServices: services =>
            services.AddScoped<IEmailChannel>(sp => new DyingMidDelivery(sp.GetRequiredService<SmtpEmailChannel>(), _heldByTheDyingNode)));
        await _nodeB.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _nodeB.DisposeAsync();
        await _nodeA.DisposeAsync();
        await _smtp.DisposeAsync();
        await _emulator.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task TwoNodesAtAnIbsDailyLimit_TakeExactlyTheLimit_AsTheAppRole()
    {
        const int limit = 5;
        var ib = await _nodeA.SeedIbAsync("daily@pg.test", "Daily Limit");
        await _nodeA.SetDailyTestSendsAsync(ib.TenantId, limit);

        // Twelve takes at once, through both hosts: a count read and then written would let more than five through.
        var takes = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() => (i % 2 == 0 ? _nodeA : _nodeB).TryTakeDailyAsync(ib.TenantId, Automation.Tenancy.DailyLimitKind.TestSends))));

        Assert.Equal(limit, takes.Count(taken => taken));
        Assert.Equal(limit, await _nodeB.AsTenantAsync(ib.TenantId, db => db.DailyUsages.SumAsync(u => u.Used, TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task ANodeKilledMidDelivery_EveryLeadGetsOneEmail_AndEveryTagIsAssignedOnce()
    {
        var ib = await _nodeA.SeedIbAsync("two-nodes@pg.test", "Two Nodes");
        var welcome = await _nodeA.CreateTemplateAsync(ib.TenantId, "Welcome", "Welcome", "<p>Once</p>");
        await _nodeA.PublishWorkflowAsync(ib.TenantId, "Immediate", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new SendEmailStep(welcome.Id), new AddTagStep("welcomed")]);
        var started = TimeProvider.System.GetUtcNow();

        // Leads arrive through both nodes' capture API.
        foreach (var i in Enumerable.Range(0, Leads))
        {
            await CaptureAsync(i % 2 == 0 ? _nodeA : _nodeB, ib, $"node{i}@example.com");
        }

        await Eventually.HoldsAsync(() => Task.FromResult(!_heldByTheDyingNode.IsEmpty), "node B has a delivery at the server");
        await _nodeB.DisposeAsync();
        var held = _heldByTheDyingNode.Keys.ToHashSet();

        // Node A's sweep takes over what node B held once its leases lapse (10 s here).
        await Eventually.HoldsAsync(
            async () =>
            {
                await _nodeA.SweepOutboxAsync();
                await _nodeA.SweepRunsAsync();
                var messages = await _nodeA.MessagesOfAsync(ib.TenantId);
                var leads = await _nodeA.LeadsOfAsync(ib.TenantId);
                return messages.Count == Leads
                    && messages.All(m => m.Status is EmailStatus.Sent or EmailStatus.Unconfirmed)
                    && leads.All(l => l.SyncState == LeadSyncState.Synced && l.Tags.All(t => t.SyncedAt != null) && l.Tags.Any(t => t.Slug == "welcomed"));
            },
            "node A finishes every delivery and sync",
            TimeSpan.FromSeconds(120));

        var all = await _nodeA.MessagesOfAsync(ib.TenantId);
        foreach (var i in Enumerable.Range(0, Leads))
        {
            Assert.Single(_smtp.Messages, m => m.Recipients.Contains($"node{i}@example.com"));
        }

        // What the dead node handed the server is unconfirmed (an admin decides); everything else was confirmed sent.
        Assert.Equal(held, all.Where(m => m.Status == EmailStatus.Unconfirmed).Select(m => m.Id).ToHashSet());
        Assert.All(all.Where(m => !held.Contains(m.Id)), m => Assert.Equal(EmailStatus.Sent, m.Status));

        // Systeme.io: one contact per lead, each prefixed tag once, no tag created twice, and the account's budget held
        // by both nodes together.
        Assert.Equal(0, _emulator.RedundantAssignments);
        var names = _emulator.Tags.Values.ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        foreach (var message in all)
        {
            // email-sent follows a confirmed send only: an unconfirmed one may or may not have gone out.
            var contact = Assert.Single(_emulator.Contacts, c => c.Email == message.To);
            Assert.Contains($"{ib.TagPrefix}welcomed", _emulator.TagNamesOf(contact));
            Assert.Equal(message.Status == EmailStatus.Sent, _emulator.TagNamesOf(contact).Contains($"{ib.TagPrefix}{EmailDelivery.SentTag}"));
        }

        // Arrivals lag their grants by the client's own latency, so the server's view is checked over windows of a few
        // seconds with two seconds of slack; the grants themselves are proven spaced in the test below.
        var arrivals = _emulator.Requests.Where(r => r.At >= started).Select(r => r.At).Order().ToList();
        var busiest = arrivals.Select((at, i) => arrivals.Skip(i).TakeWhile(later => later - at < ArrivalWindow).Count()).Max();
        var allowed = RequestsPerSecond * (ArrivalWindow.TotalSeconds + 2);
        Assert.True(busiest <= allowed, $"{busiest} Systeme.io requests arrived within {ArrivalWindow.TotalSeconds} s, over the shared budget's {allowed}");
    }

    [Fact]
    public async Task BothNodesDrawFromOneSystemeBudget_GrantsAreSpacedAcrossThem()
    {
        var limiters = new[] { _nodeA, _nodeB }.Select(node => node.Services.GetRequiredService<SystemeRateLimiter>()).ToList();
        var started = TimeProvider.System.GetUtcNow();

        // Each node asks for as many places as it can at once.
        var granted = await Task.WhenAll(limiters.SelectMany(limiter => Enumerable.Range(0, GrantsPerNode).Select(async _ =>
        {
            await limiter.WaitAsync(TestContext.Current.CancellationToken);
            return TimeProvider.System.GetUtcNow();
        })));

        // One budget spaces every grant a third of a second from the last, whichever node took it: the last place cannot
        // come sooner than that allows (two budgets, one per node, would hand out the same places in half the time).
        var atLeast = TimeSpan.FromSeconds(1.0 / RequestsPerSecond) * ((2 * GrantsPerNode) - 1);
        var took = granted.Max() - started;
        Assert.True(took >= atLeast, $"{2 * GrantsPerNode} grants across two nodes took {took.TotalSeconds:0.00} s; one budget of {RequestsPerSecond}/s needs at least {atLeast.TotalSeconds:0.00} s");
    }

    [Fact]
    public async Task TwoNodesClaimingTheSameDueRuns_TakeEachRunOnce_AsTheAppRole()
    {
        const int runs = 300;
        var ib = await _nodeA.SeedIbAsync("wakes@pg.test", "Wakes");
        await _nodeA.PublishWorkflowAsync(ib.TenantId, "Day wait", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new WaitStep(1, WaitUnit.Days), new AddTagStep("woken")]);
        await _nodeA.CaptureManyAsync(ib.TenantId, Enumerable.Range(0, runs).Select(i => $"wake{i}@example.com"));
        await Eventually.HoldsAsync(async () => (await _nodeA.RunsOfAsync(ib.TenantId)).Count(r => r.Status == Automation.Engine.RunStatus.Waiting) == runs, "every run waits");

        // Every wait is over and no wake has fired yet: four claimers on each node take the due runs at once, as the
        // wakes of both nodes for the same second do.
        var dueAt = TimeProvider.System.GetUtcNow() - TimeSpan.FromSeconds(1);
        await _nodeA.AsTenantAsync(ib.TenantId, db => db.WorkflowRuns.ExecuteUpdateAsync(s => s.SetProperty(r => r.DueAt, dueAt), TestContext.Current.CancellationToken));
        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => (i % 2 == 0 ? _nodeA : _nodeB).ClaimAllDueAsync(ib.TenantId))));

        var claimed = claims.SelectMany(c => c).ToList();
        Assert.Equal(runs, claimed.Select(c => c.RunId).Distinct().Count());
        Assert.Equal(runs, claimed.Count);
        var stored = (await _nodeB.RunsOfAsync(ib.TenantId)).ToDictionary(r => r.Id);
        Assert.All(claimed, c => Assert.Equal((Automation.Engine.RunStatus.Running, c.Handoff), (stored[c.RunId].Status, stored[c.RunId].Handoff)));
    }

    [Fact]
    public Task WaitsEndingInTheSameSecond_WokenByBothNodes_EachRunStepsOnce_AsTheAppRole() => WakeScenario.RunAsync([_nodeA, _nodeB], maxWakes: 24);

    [Fact]
    public async Task TwoNodesHandedTheSameInboxBatches_ProcessEachEventOnce_AsTheAppRole()
    {
        var emails = Enumerable.Range(0, 100).Select(i => $"inbox{i}@example.com").ToArray();
        var ib = await _nodeA.SeedIbAsync("inbox@pg.test", "Inbox", emails);
        await _nodeA.PublishWorkflowAsync(ib.TenantId, "Hot welcome", new WorkflowTrigger(TriggerKind.TagAdded, "hot"), [new AddTagStep("welcomed")]);

        // Two tag events per lead, stored as the inbox stores them; their jobs are for the test to run.
        var now = TimeProvider.System.GetUtcNow();
        var events = emails.SelectMany((email, i) => new[] { "hot", "vip" }.Select(slug => new Automation.Webhooks.InboundEvent
        {
            Source = Automation.Webhooks.InboundSource.SystemeService,
            MessageId = $"pg-batch-{slug}-{i}-{Guid.NewGuid():N}",
            EventType = "CONTACT_TAG_ADDED",
            Body = $$$"""{"contact":{"id":{{{3000 + i}}},"email":"{{{email}}}"},"tag":{"id":5,"name":"{{{ib.TagPrefix}}}{{{slug}}}"}}""",
            ReceivedAt = now,
            NextAttemptAt = now + Automation.Webhooks.Inbox.Lease,
        })).ToList();
        await using (var scope = _nodeA.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Automation.Data.ClientFlowDbContext>();
            db.InboundEvents.AddRange(events);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        // A sweep and a retry can hand the same events to jobs on both nodes: two jobs per node, each with every event.
        var ids = events.Select(e => e.Id).ToArray();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
        {
            await using var scope = (i % 2 == 0 ? _nodeA : _nodeB).Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<Automation.Jobs.InboxJob>().RunBatchAsync(ids, ids.Length, TestContext.Current.CancellationToken);
        })));

        var stored = await _nodeB.AsTenantAsync(ib.TenantId, db => db.InboundEvents.AsNoTracking().Where(e => ids.Contains(e.Id)).ToListAsync(TestContext.Current.CancellationToken));
        Assert.Equal(ids.Length, stored.Count);
        Assert.All(stored, e => Assert.Equal((Automation.Webhooks.InboundStatus.Processed, 1, ib.TenantId), (e.Status, e.Attempts, e.TenantId!.Value)));
        Assert.All(stored, e => Assert.DoesNotContain("already so", e.Outcome, StringComparison.Ordinal));
        var leads = await _nodeB.LeadsOfAsync(ib.TenantId);
        Assert.All(leads, l => Assert.Equal(["hot", "vip"], l.Tags.Select(t => t.Slug).Where(s => s is "hot" or "vip").Order(StringComparer.Ordinal)));
        var runs = await _nodeB.RunsOfAsync(ib.TenantId);
        Assert.Equal(emails.Length, runs.Select(r => r.LeadId).Distinct().Count());
        Assert.Equal(emails.Length, runs.Count);
    }

    private static async Task CaptureAsync(ClientFlowAppFactory node, SeededIb ib, string email)
    {
        using var response = await node.PostLeadAsync(ib.ApiKey, new { email });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    /// <summary>The node's SMTP channel: the server accepts the message, then the node hangs until it is stopped.</summary>
    private sealed class DyingMidDelivery(SmtpEmailChannel inner, ConcurrentDictionary<Guid, bool> held) : IEmailChannel
    {
        public bool IsExternal => inner.IsExternal;

        public async Task DeliverAsync(EmailMessage message, CancellationToken cancellationToken)
        {
            await inner.DeliverAsync(message, cancellationToken);
            held[message.Id] = true;
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }
}
