using System.Data.Common;
using System.Net;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Jobs;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Outbox;
using ClientFlow.Automation.Webhooks;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using ClientFlow.Tests.Infrastructure.Smtp;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace ClientFlow.Tests.Integration.Outbox;

/// <summary>
/// The app on SMTP with a poison tag (saving a lead tag named "poison" fails while <see cref="Poisoned"/> is on),
/// two attempts for inbox events and outbox rows, and outbox jobs kept from Hangfire (tests play the worker).
/// </summary>
public sealed class DeadLetterApp : IAsyncLifetime
{
    public const string Secret = "dead-letter-secret";

    private readonly SqliteTestDatabase _database = new();

    public FakeTimeProvider Clock { get; } = new(TimeProvider.System.GetUtcNow());

    public SmtpTestServer Smtp { get; private set; } = null!;

    public ClientFlowAppFactory App { get; private set; } = null!;

    public bool Poisoned { get; set; } = true;

    /// <summary>While true, inbox jobs are lost on the way to Hangfire.</summary>
    public bool LoseInboxJobs { get; set; }

    /// <summary>
    /// When set, the next read of leads that looks for this email first gives the event's claim to another worker and
    /// commits, as the sweep does once a claim's lease has lapsed: a batch that claimed the event reads its lead after that.
    /// </summary>
    public (Guid EventId, string Email)? StealClaimOf { get; set; }

    /// <summary>The worker that <see cref="StealClaimOf"/> gives the claim to.</summary>
    public Guid Thief { get; } = Guid.NewGuid();

    /// <summary>The events of every inbox job lost so far (the inbox hands events to jobs just after answering).</summary>
    public System.Collections.Concurrent.ConcurrentBag<Guid> LostEvents { get; } = [];

    public async ValueTask InitializeAsync()
    {
        Smtp = SmtpTestServer.Start();
        var settings = Smtp.AppSettings();
        settings["Systeme:WebhookSecret"] = Secret;
        settings["Inbox:MaxAttempts"] = "2";
        settings["Outbox:MaxAttempts"] = "2";
        App = new ClientFlowAppFactory(_database, settings: settings, configureServices: services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            DroppingJobClient.Register(services, job => job.Type == typeof(OutboxJob) || (LoseInboxJobs && job.Type == typeof(InboxJob) && Lost(job)));
            services.ConfigureDbContext<SqliteClientFlowDbContext>(o => o.AddInterceptors(new PoisonTag(this), new ClaimThief(this)));
        });
        await App.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Smtp.DisposeAsync();
        await _database.DisposeAsync();
    }

    private bool Lost(Hangfire.Common.Job job)
    {
        foreach (var eventId in job.Args[0] as Guid[] ?? [(Guid)job.Args[0]])
        {
            LostEvents.Add(eventId);
        }

        return true;
    }

    /// <summary>A failure nothing in ClientFlow expects, on every attempt, until the test lifts it.</summary>
    private sealed class ClaimThief(DeadLetterApp app) : DbCommandInterceptor
    {
        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (app.StealClaimOf is var (eventId, email)
                && command.CommandText.Contains("FROM \"Leads\"", StringComparison.Ordinal)
                && command.Parameters.Cast<DbParameter>().Any(p => email.Equals(p.Value)))
            {
                app.StealClaimOf = null;
                await using var scope = app.App.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>();
                await db.InboundEvents.Where(e => e.Id == eventId)
                    .ExecuteUpdateAsync(s => s.SetProperty(e => e.LeaseOwner, app.Thief).SetProperty(e => e.Attempts, e => e.Attempts + 1), cancellationToken);
            }

            return result;
        }
    }

    private sealed class PoisonTag(DeadLetterApp app) : SaveChangesInterceptor
    {
        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (app.Poisoned && eventData.Context!.ChangeTracker.Entries<LeadTag>().Any(e => e.State == EntityState.Added && e.Entity.Slug == "poison"))
            {
                throw new InvalidOperationException("The poison tag cannot be stored.");
            }

            return base.SavingChangesAsync(eventData, result, cancellationToken);
        }
    }
}

/// <summary>
/// What the engine gives up on is bounded and visible: after the configured attempts an inbox event or an outbox row
/// is dead-lettered with its reason, an email a dead worker left half-sent is unconfirmed, and an admin sees each on
/// /Admin/DeadLetters and retries it (audited). IBs cannot see the page.
/// </summary>
public sealed class DeadLetterTests(DeadLetterApp fixture) : IClassFixture<DeadLetterApp>
{
    private ClientFlowAppFactory App => fixture.App;

    [Fact]
    public async Task PoisonEvent_IsDeadLetteredAfterTwoAttempts_AndAnAdminRetriesIt()
    {
        var ib = await App.SeedIbAsync("poison@dead.test", "Poison IB", "poisoned@example.com");
        var messageId = $"poison-{Guid.NewGuid():N}";
        var accepted = await SignedWebhooks.PostAsync(App, DeadLetterApp.Secret, "CONTACT_TAG_ADDED", messageId,
            $$$"""{"contact":{"id":77,"email":"poisoned@example.com"},"tag":{"id":5,"name":"{{{ib.TagPrefix}}}poison"}}""");
        Assert.Equal(HttpStatusCode.Accepted, accepted);

        // Hangfire's retry takes the event again a second later; the second failure is the last.
        await Eventually.HoldsAsync(async () => (await EventAsync(messageId)).Status == InboundStatus.DeadLettered, "the event is dead-lettered");
        var dead = await EventAsync(messageId);
        Assert.Equal(2, dead.Attempts);
        Assert.Equal("Gave up after 2 attempts: The poison tag cannot be stored.", dead.Outcome);
        await Task.Delay(TimeSpan.FromSeconds(6), TestContext.Current.CancellationToken);
        Assert.Equal((InboundStatus.DeadLettered, 2), ((await EventAsync(messageId)).Status, (await EventAsync(messageId)).Attempts));

        using var admin = App.CreatePageClient();
        await admin.LogInOrFailAsync(ClientFlowAppFactory.AdminEmail);
        var row = (await admin.GetDocumentAsync("/Admin/DeadLetters")).QuerySelector($"[data-testid=dead-letter][data-id='{dead.Id}']");
        Assert.NotNull(row);
        Assert.Contains("The poison tag cannot be stored.", row.TextContent, StringComparison.Ordinal);

        fixture.Poisoned = false;
        try
        {
            var retried = await admin.SubmitFormAsync("/Admin/DeadLetters", new Dictionary<string, string>(), $"[data-testid=dead-letter][data-id='{dead.Id}'] form");
            Assert.Equal(HttpStatusCode.Redirect, retried.StatusCode);
            await Eventually.HoldsAsync(async () => (await EventAsync(messageId)).Status == InboundStatus.Processed, "the retried event is processed");
        }
        finally
        {
            fixture.Poisoned = true;
        }

        Assert.Contains((await App.LeadsOfAsync(ib.TenantId)).Single().Tags, t => t.Slug == "poison");
        Assert.Contains(await AuditAsync(), a => a.Action == "admin.dead-letter.retry" && a.Detail == $"Inbound {dead.Id}");
        Assert.Contains(await AuditAsync(), a => a.Action == "admin.dead-letters.list");
    }

    [Fact]
    public async Task InboxSweep_HandsALostEventOutOncePerLease()
    {
        await App.SeedIbAsync("lost-event@dead.test", "Lost Event IB");
        fixture.LoseInboxJobs = true;
        try
        {
            var messageId = $"lost-{Guid.NewGuid():N}";
            Assert.Equal(HttpStatusCode.Accepted, await SignedWebhooks.PostAsync(App, DeadLetterApp.Secret, "CONTACT_CREATED", messageId, """{"contact":{"id":5,"email":"nobody-here@example.com"}}"""));
            var lost = (await EventAsync(messageId)).Id;
            await Eventually.HoldsAsync(() => Task.FromResult(fixture.LostEvents.Contains(lost)), "the event's job is lost");

            // The job was lost: after the lease the sweep hands the event out once, and the next sweep leaves it to that job.
            fixture.Clock.Advance(Inbox.Lease + TimeSpan.FromMinutes(1));
            Assert.Equal((1, 0), (await SweepInboxAsync(), await SweepInboxAsync()));
            Assert.Equal(InboundStatus.Pending, (await EventAsync(messageId)).Status);
        }
        finally
        {
            fixture.LoseInboxJobs = false;
        }
    }

    [Fact]
    public async Task InboxBatch_GoesOnPastAFailingEvent_AndHandsThatEventToAJobOfItsOwn()
    {
        var ib = await App.SeedIbAsync("batch@dead.test", "Batch IB", "batched@example.com");
        string[] messageIds = [$"batch-poison-{Guid.NewGuid():N}", $"batch-good-{Guid.NewGuid():N}"];
        fixture.LoseInboxJobs = true;
        try
        {
            foreach (var (messageId, slug) in messageIds.Zip(["poison", "welcomed"]))
            {
                Assert.Equal(HttpStatusCode.Accepted, await SignedWebhooks.PostAsync(App, DeadLetterApp.Secret, "CONTACT_TAG_ADDED", messageId,
                    $$$"""{"contact":{"id":78,"email":"batched@example.com"},"tag":{"id":6,"name":"{{{ib.TagPrefix}}}{{{slug}}}"}}"""));
            }

            foreach (var messageId in messageIds)
            {
                var lost = (await EventAsync(messageId)).Id;
                await Eventually.HoldsAsync(() => Task.FromResult(fixture.LostEvents.Contains(lost)), "the event's job is lost");
            }
        }
        finally
        {
            fixture.LoseInboxJobs = false;
        }

        // Both events in one batch, the poisoned one first: the batch neither throws nor stops at it.
        Guid[] eventIds = [(await EventAsync(messageIds[0])).Id, (await EventAsync(messageIds[1])).Id];
        await using (var scope = App.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<InboxJob>().RunBatchAsync(eventIds, eventIds.Length, TestContext.Current.CancellationToken);
        }

        Assert.Equal(InboundStatus.Processed, (await EventAsync(messageIds[1])).Status);
        Assert.Contains((await App.LeadsOfAsync(ib.TenantId)).Single().Tags, t => t.Slug == "welcomed");

        // The poisoned event's own job takes its second attempt now, not after the lease (the fake clock stands still).
        await Eventually.HoldsAsync(async () => (await EventAsync(messageIds[0])).Status == InboundStatus.DeadLettered, "the failed event's own job gives up");
        Assert.Equal(2, (await EventAsync(messageIds[0])).Attempts);
    }

    [Fact]
    public async Task DeadWorkersHalfSentEmail_IsUnconfirmed_AndAnAdminSendsItAgain()
    {
        var ib = await App.SeedIbAsync("unconfirmed@dead.test", "Unconfirmed IB");
        var template = await App.CreateTemplateAsync(ib.TenantId, "Welcome", "Welcome", "<p>Hi</p>");
        await App.PublishWorkflowAsync(ib.TenantId, "Send", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new SendEmailStep(template.Id)]);
        await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "half-sent@example.com" });
        await Eventually.HoldsAsync(async () => (await App.MessagesOfAsync(ib.TenantId)).Count == 1, "the send is queued");
        var message = Assert.Single(await App.MessagesOfAsync(ib.TenantId));

        // A worker claimed the row and fenced the message, then died with the server holding it: both leases lapse.
        var dead = Guid.NewGuid();
        var lapsed = fixture.Clock.GetUtcNow() - TimeSpan.FromMinutes(1);
        var operationId = await App.AsTenantAsync(ib.TenantId, async db =>
        {
            await db.EmailMessages.Where(m => m.Id == message.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, EmailStatus.Sending).SetProperty(m => m.SendingOwner, dead).SetProperty(m => m.SendingUntil, lapsed), TestContext.Current.CancellationToken);
            await db.OutboundOperations.Where(o => o.EmailMessageId == message.Id).ExecuteUpdateAsync(s => s.SetProperty(o => o.LeaseOwner, dead).SetProperty(o => o.LeaseUntil, lapsed).SetProperty(o => o.Attempts, 1), TestContext.Current.CancellationToken);
            return await db.OutboundOperations.Where(o => o.EmailMessageId == message.Id).Select(o => o.Id).SingleAsync(TestContext.Current.CancellationToken);
        });

        Assert.Equal(1, await App.SweepOutboxAsync());
        await DispatchAsync(ib.TenantId, operationId);
        var unconfirmed = Assert.Single(await App.MessagesOfAsync(ib.TenantId));
        Assert.Equal(EmailStatus.Unconfirmed, unconfirmed.Status);
        Assert.DoesNotContain(fixture.Smtp.Messages, m => m.Recipients.Contains("half-sent@example.com"));

        using var admin = App.CreatePageClient();
        await admin.LogInOrFailAsync(ClientFlowAppFactory.AdminEmail);
        var page = await admin.GetDocumentAsync("/Admin/DeadLetters");
        var row = page.QuerySelector($"[data-testid=dead-letter][data-id='{message.Id}']");
        Assert.NotNull(row);
        Assert.Equal("UnconfirmedEmail", row.GetAttribute("data-kind"));
        Assert.Contains("not sent again by itself", row.TextContent, StringComparison.Ordinal);
        Assert.Equal("Send again", row.QuerySelector("button")?.TextContent.Trim());

        var resent = await admin.SubmitFormAsync("/Admin/DeadLetters", new Dictionary<string, string>(), $"[data-testid=dead-letter][data-id='{message.Id}'] form");
        Assert.Equal(HttpStatusCode.Redirect, resent.StatusCode);
        await DispatchAsync(ib.TenantId, operationId);

        Assert.Equal(EmailStatus.Sent, Assert.Single(await App.MessagesOfAsync(ib.TenantId)).Status);
        Assert.Single(fixture.Smtp.Messages, m => m.Recipients.Contains("half-sent@example.com"));
        Assert.Contains(await AuditAsync(), a => a.Action == "admin.dead-letter.retry" && a.Detail == $"UnconfirmedEmail {message.Id}" && a.TenantId == ib.TenantId);

        Assert.Null((await admin.GetDocumentAsync("/Admin/DeadLetters")).QuerySelector($"[data-testid=dead-letter][data-id='{message.Id}']"));
    }

    [Fact]
    public async Task Ib_CannotSeeDeadLetters()
    {
        var ib = await App.SeedIbAsync("nosy@dead.test", "Nosy IB");
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);

        Assert.Equal(HttpStatusCode.NotFound, (await client.Http.GetAsync("/Admin/DeadLetters", TestContext.Current.CancellationToken)).StatusCode);
    }

    private Task DispatchAsync(Guid tenantId, Guid operationId) => App.DispatchOutboxAsync(tenantId, operationId);

    private async Task<int> SweepInboxAsync()
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<InboxProcessor>().SweepAsync(TestContext.Current.CancellationToken);
    }

    private async Task<InboundEvent> EventAsync(string messageId)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>().InboundEvents.AsNoTracking().SingleAsync(e => e.MessageId == messageId, TestContext.Current.CancellationToken);
    }

    private async Task<List<Automation.Auditing.AuditEntry>> AuditAsync()
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>().AuditEntries.AsNoTracking().ToListAsync(TestContext.Current.CancellationToken);
    }
}
