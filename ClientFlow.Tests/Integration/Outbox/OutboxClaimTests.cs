using ClientFlow.Automation.Data;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Jobs;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Outbox;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using ClientFlow.Tests.Infrastructure.Smtp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace ClientFlow.Tests.Integration.Outbox;

/// <summary>
/// The app on SMTP, with its outbox jobs kept from Hangfire so each test plays the workers itself,
/// several at once: the claim (owner and lease) decides who performs a row, and only its owner moves it on.
/// </summary>
public sealed class OutboxClaimApp : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();

    public FakeTimeProvider Clock { get; } = new(TimeProvider.System.GetUtcNow());

    public SmtpTestServer Smtp { get; private set; } = null!;

    public ClientFlowAppFactory App { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Smtp = SmtpTestServer.Start();
        var settings = Smtp.AppSettings();
        settings["Outbox:MaxAttempts"] = "3";
        App = new ClientFlowAppFactory(_database, settings: settings, configureServices: services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            DroppingJobClient.Register(services, job => job.Type == typeof(OutboxJob));
        });
        await App.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Smtp.DisposeAsync();
        await _database.DisposeAsync();
    }

    /// <summary>One worker performing the row, as an outbox job would.</summary>
    public Task DispatchAsync(Guid tenantId, Guid operationId) => App.DispatchOutboxAsync(tenantId, operationId);

    public Task<List<OutboundOperation>> OperationsOfAsync(Guid tenantId) =>
        App.AsTenantAsync(tenantId, db => db.OutboundOperations.AsNoTracking().Where(o => o.Kind == OutboundKind.EmailDelivery).OrderBy(o => o.StepIndex).ToListAsync(TestContext.Current.CancellationToken));
}

public sealed class OutboxClaimTests(OutboxClaimApp fixture) : IClassFixture<OutboxClaimApp>
{
    private ClientFlowAppFactory App => fixture.App;

    [Fact]
    public async Task SecondWorker_WhileTheFirstIsSending_LeavesTheDeliveryAlone()
    {
        var (ib, email) = await CapturedWithSendsAsync("slow-server", sends: 1);
        var operation = Assert.Single(await fixture.OperationsOfAsync(ib.TenantId));
        var release = new TaskCompletionSource();
        fixture.Smtp.ReplyGate = release.Task;
        try
        {
            // The first worker claims the row and hands the message to a server that has not answered yet.
            var first = fixture.DispatchAsync(ib.TenantId, operation.Id);
            await Eventually.HoldsAsync(() => Task.FromResult(fixture.Smtp.WaitingForReply == 1), "the server holds the first delivery");

            // A second worker (the sweep, a retried job, another node) is handed the same row meanwhile.
            await fixture.DispatchAsync(ib.TenantId, operation.Id);

            var during = Assert.Single(await App.MessagesOfAsync(ib.TenantId));
            var held = Assert.Single(await fixture.OperationsOfAsync(ib.TenantId));
            Assert.Equal(EmailStatus.Sending, during.Status);
            Assert.Equal((OutboundStatus.Pending, 1), (held.Status, held.Attempts));
            Assert.NotNull(held.LeaseOwner);
            Assert.Equal(held.LeaseOwner, during.SendingOwner);

            release.SetResult();
            await first;
        }
        finally
        {
            fixture.Smtp.ReplyGate = Task.CompletedTask;
            release.TrySetResult();
        }

        var message = Assert.Single(await App.MessagesOfAsync(ib.TenantId));
        var done = Assert.Single(await fixture.OperationsOfAsync(ib.TenantId));
        Assert.Equal(EmailStatus.Sent, message.Status);
        Assert.Equal((OutboundStatus.Done, 1, (Guid?)null), (done.Status, done.Attempts, done.LeaseOwner));
        Assert.Single(fixture.Smtp.Messages, m => m.Recipients.Contains(email));
    }

    [Fact]
    public async Task TwoFirstSends_ToOneLead_BothEndSent_WithOneSentTag()
    {
        var (ib, email) = await CapturedWithSendsAsync("two-sends", sends: 2);
        var operations = await fixture.OperationsOfAsync(ib.TenantId);
        Assert.Equal(2, operations.Count);
        fixture.Smtp.ReplyDelay = TimeSpan.FromMilliseconds(500);
        try
        {
            // Both deliveries are at the server at once, so both record email-sent on the lead at about the same moment.
            await Task.WhenAll(operations.Select(o => fixture.DispatchAsync(ib.TenantId, o.Id)));
        }
        finally
        {
            fixture.Smtp.ReplyDelay = TimeSpan.Zero;
        }

        Assert.All(await App.MessagesOfAsync(ib.TenantId), m => Assert.Equal(EmailStatus.Sent, m.Status));
        Assert.All(await fixture.OperationsOfAsync(ib.TenantId), o => Assert.Equal(OutboundStatus.Done, o.Status));
        var lead = Assert.Single(await App.LeadsOfAsync(ib.TenantId));
        Assert.Single(lead.Tags, t => t.Slug == EmailDelivery.SentTag);
        Assert.Equal(LeadStatus.Nurturing, lead.Status);
        Assert.Equal(2, fixture.Smtp.Messages.Count(m => m.Recipients.Contains(email)));
    }

    [Fact]
    public async Task AlwaysFailingDelivery_IsDeadLettered_AfterMaxAttempts_WithItsReason()
    {
        var (ib, email) = await CapturedWithSendsAsync("always-451", sends: 1);
        var operation = Assert.Single(await fixture.OperationsOfAsync(ib.TenantId));
        fixture.Smtp.FailNextData(3, 451, "Mailbox busy");

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await fixture.DispatchAsync(ib.TenantId, operation.Id);
            fixture.Clock.Advance(TimeSpan.FromMinutes(20));
        }

        // A fourth hand-out finds nothing to do: the row is no longer pending.
        await fixture.DispatchAsync(ib.TenantId, operation.Id);
        var dead = Assert.Single(await fixture.OperationsOfAsync(ib.TenantId));
        Assert.Equal((OutboundStatus.DeadLettered, 3), (dead.Status, dead.Attempts));
        Assert.StartsWith("Gave up after 3 attempts: SMTP 451", dead.LastError, StringComparison.Ordinal);
        Assert.Equal(3, fixture.Smtp.DataAttempts.Count(a => a.Recipients.Contains(email)));
        Assert.Equal(EmailStatus.Pending, Assert.Single(await App.MessagesOfAsync(ib.TenantId)).Status);
    }

    [Fact]
    public async Task OutboxSweep_HandsARowOutOncePerLease()
    {
        var (ib, _) = await CapturedWithSendsAsync("lost-job", sends: 1);

        // Its job was lost (dropped here); after the lease the sweep hands it out, and a second sweep does not.
        fixture.Clock.Advance(TimeSpan.FromMinutes(11));
        var first = await App.SweepOutboxAsync();
        var second = await App.SweepOutboxAsync();

        Assert.Equal((1, 0), (first, second));
        Assert.Equal(OutboundStatus.Pending, Assert.Single(await fixture.OperationsOfAsync(ib.TenantId)).Status);
    }

    /// <summary>A workflow that sends <paramref name="sends"/> emails at once, and a captured lead whose deliveries wait in the outbox.</summary>
    private async Task<(SeededIb Ib, string Email)> CapturedWithSendsAsync(string name, int sends)
    {
        var ib = await App.SeedIbAsync($"{name}@claims.test", name);
        var steps = new List<WorkflowStep>();
        for (var i = 0; i < sends; i++)
        {
            var template = await App.CreateTemplateAsync(ib.TenantId, $"Mail {i}", $"Mail {i}", $"<p>Mail {i}</p>");
            steps.Add(new SendEmailStep(template.Id));
        }

        await App.PublishWorkflowAsync(ib.TenantId, "Sends", new WorkflowTrigger(TriggerKind.LeadCaptured, null), steps);
        var email = $"{name}@example.com";
        await App.CaptureAsync(ib.TenantId, new LeadInput { Email = email });
        await Eventually.HoldsAsync(async () => (await fixture.OperationsOfAsync(ib.TenantId)).Count == sends, "the run queues its sends");
        return (ib, email);
    }
}
