using ClientFlow.Automation.Email;
using ClientFlow.Automation.Jobs;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Outbox;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using ClientFlow.Tests.Infrastructure.Smtp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace ClientFlow.Tests.Integration.Engine;

/// <summary>
/// The app on SMTP with two ways to kill a worker: its outbox job is lost after the step committed
/// (nothing delivered yet), or the worker dies right after the SMTP server took the message (before
/// the outbox row is marked done). Either way the lead gets exactly one email.
/// </summary>
public sealed class CrashingSmtpApp : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();

    public FakeTimeProvider Clock { get; } = new(TimeProvider.System.GetUtcNow());

    public SmtpTestServer Smtp { get; private set; } = null!;

    public ClientFlowAppFactory App { get; private set; } = null!;

    /// <summary>While true, outbox jobs are dropped on the way to Hangfire: the worker that would run them "died".</summary>
    public bool LoseOutboxJobs { get; set; }

    /// <summary>How many deliveries still end with the worker dying just after the server accepted the message.</summary>
    public int CrashesAfterDelivery { get; set; }

    public async ValueTask InitializeAsync()
    {
        Smtp = SmtpTestServer.Start();
        App = new ClientFlowAppFactory(_database, settings: Smtp.AppSettings(), configureServices: services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            DroppingJobClient.Register(services, job => LoseOutboxJobs && job.Type == typeof(OutboxJob));
            services.AddScoped<IEmailChannel>(sp => new DyingAfterDelivery(sp.GetRequiredService<SmtpEmailChannel>(), this));
        });
        await App.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Smtp.DisposeAsync();
        await _database.DisposeAsync();
    }

    private sealed class DyingAfterDelivery(SmtpEmailChannel inner, CrashingSmtpApp app) : IEmailChannel
    {
        public bool IsExternal => inner.IsExternal;

        public async Task DeliverAsync(EmailMessage message, CancellationToken cancellationToken)
        {
            await inner.DeliverAsync(message, cancellationToken);
            if (app.CrashesAfterDelivery > 0)
            {
                app.CrashesAfterDelivery--;
                throw new WorkerKilledException();
            }
        }
    }
}

/// <summary>Stands for a process dying: nothing in ClientFlow catches it.</summary>
public sealed class WorkerKilledException : Exception
{
    public WorkerKilledException()
        : base("The worker was killed.")
    {
    }
}

public sealed class CrashSafetyTests(CrashingSmtpApp fixture) : IClassFixture<CrashingSmtpApp>
{
    private ClientFlowAppFactory App => fixture.App;

    [Fact]
    public async Task WorkerKilled_BetweenOutboxWriteAndDelivery_StillSendsExactlyOneEmail()
    {
        var (ib, email) = await WorkflowSendingToAsync("lost-job");
        fixture.LoseOutboxJobs = true;
        var leadId = await App.CaptureAsync(ib.TenantId, new LeadInput { Email = email });

        // The step committed the message and its outbox row; the job that should deliver it is gone.
        await Eventually.HoldsAsync(async () => (await App.MessagesOfAsync(ib.TenantId)).Any(m => m.LeadId == leadId), "the step writes the message");
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        Assert.Empty(DeliveredTo(email));
        Assert.Equal(EmailStatus.Pending, (await App.MessagesOfAsync(ib.TenantId)).Single(m => m.LeadId == leadId).Status);

        // After the lease the outbox sweep hands the row to a new worker.
        fixture.LoseOutboxJobs = false;
        fixture.Clock.Advance(TimeSpan.FromMinutes(11));
        Assert.True(await App.SweepOutboxAsync() >= 1);
        await Eventually.HoldsAsync(async () => (await App.MessagesOfAsync(ib.TenantId)).Single(m => m.LeadId == leadId).Status == EmailStatus.Sent, "the sweep delivers it");

        fixture.Clock.Advance(TimeSpan.FromMinutes(11));
        await App.SweepOutboxAsync();
        await App.SweepRunsAsync();
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        Assert.Single(DeliveredTo(email));
    }

    [Fact]
    public async Task WorkerKilled_BetweenDeliveryAndMarkingDone_NeverSendsASecondEmail()
    {
        var (ib, email) = await WorkflowSendingToAsync("died-after-send");
        fixture.CrashesAfterDelivery = 1;
        var leadId = await App.CaptureAsync(ib.TenantId, new LeadInput { Email = email });

        // The server took the message; the worker died before the outbox row was marked done.
        await Eventually.HoldsAsync(() => Task.FromResult(DeliveredTo(email).Count == 1), "the server receives the message");
        await Eventually.HoldsAsync(() => Task.FromResult(fixture.CrashesAfterDelivery == 0), "the worker dies");
        var message = (await App.MessagesOfAsync(ib.TenantId)).Single(m => m.LeadId == leadId);
        Assert.Equal(EmailStatus.Sending, message.Status);
        var operation = await App.AsTenantAsync(ib.TenantId, db => Task.FromResult(db.OutboundOperations.Single(o => o.EmailMessageId == message.Id)));
        Assert.Equal(OutboundStatus.Pending, operation.Status);

        // The sweep retries the row: the fence says it may already be out, so it is not sent again.
        fixture.Clock.Advance(TimeSpan.FromMinutes(11));
        Assert.True(await App.SweepOutboxAsync() >= 1);
        await Eventually.HoldsAsync(async () => (await App.MessagesOfAsync(ib.TenantId)).Single(m => m.LeadId == leadId).Status == EmailStatus.Unconfirmed, "the message is marked unconfirmed");
        fixture.Clock.Advance(TimeSpan.FromMinutes(11));
        await App.SweepOutboxAsync();
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);

        Assert.Single(DeliveredTo(email));
        Assert.Equal(OutboundStatus.Done, (await App.AsTenantAsync(ib.TenantId, db => Task.FromResult(db.OutboundOperations.Single(o => o.EmailMessageId == message.Id)))).Status);
    }

    private async Task<(SeededIb Ib, string Email)> WorkflowSendingToAsync(string name)
    {
        var ib = await App.SeedIbAsync($"{name}@crash.test", name);
        var template = await App.CreateTemplateAsync(ib.TenantId, "Welcome", "Welcome", "<p>Once only</p>");
        await App.PublishWorkflowAsync(ib.TenantId, "Send once", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new SendEmailStep(template.Id)]);
        return (ib, $"{name}@example.com");
    }

    private List<SmtpReceivedMessage> DeliveredTo(string email) =>
        fixture.Smtp.Messages.Where(m => m.Recipients.Contains(email, StringComparer.OrdinalIgnoreCase)).ToList();
}
