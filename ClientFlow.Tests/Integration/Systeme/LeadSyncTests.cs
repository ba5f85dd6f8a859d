using System.Net;
using System.Text.Json;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Automation.Workflows;
using ClientFlow.Automation.Outbox;
using ClientFlow.Tests.Infrastructure;
using ClientFlow.Tests.Infrastructure.Systeme;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Systeme;

public sealed class SyncedCaptureApp : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();

    public SystemeEmulator Emulator { get; private set; } = null!;

    public ClientFlowAppFactory App { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Emulator = await SystemeEmulator.StartAsync();
        App = new ClientFlowAppFactory(_database, settings: new Dictionary<string, string?>
        {
            ["Systeme:BaseUrl"] = Emulator.BaseUrl.ToString(),
            ["Systeme:ApiKey"] = SystemeEmulator.ApiKey,
            ["Systeme:MaxRequestsPerSecond"] = "50",
            ["Outbox:MaxBackoff"] = "00:00:02",
        });
        await App.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Emulator.DisposeAsync();
        await _database.DisposeAsync();
    }
}

/// <summary>Captured leads reach the Systeme.io emulator through the outbox: once, with prefixed tags, through outages and 429 storms.</summary>
public sealed class LeadSyncTests(SyncedCaptureApp fixture) : IClassFixture<SyncedCaptureApp>
{
    private SystemeEmulator Emulator => fixture.Emulator;

    [Fact]
    public async Task Capture_SyncsTheContactFieldsAndPrefixedTags()
    {
        var ib = await fixture.App.SeedIbAsync("sync@ib.test", "Sync IB");

        var leadId = await CaptureAsync(ib, new { email = "synced@example.com", name = "Alex Morgan", phone = "+44 20 7946 0958", ib_type = "forex-ib", monthly_leads = "500+" });
        var lead = await WaitForStateAsync(ib, leadId, LeadSyncState.Synced);

        var contact = Emulator.ContactByEmail("synced@example.com");
        Assert.NotNull(contact);
        Assert.Equal(contact.Id, lead.SystemeContactId);
        Assert.Equal("Alex", contact.Fields["first_name"]);
        Assert.Equal("Morgan", contact.Fields["surname"]);
        Assert.Equal("+44 20 7946 0958", contact.Fields["phone_number"]);
        Assert.Equal(ib.TenantId.ToString(), contact.Fields["ib_owner_id"]);
        Assert.Equal(ib.TagPrefix, contact.Fields["ib_prefix"]);
        Assert.Equal(new[] { "demo-request", "forex-ib", "high-volume" }.Select(s => ib.TagPrefix + s).Order(StringComparer.Ordinal), Emulator.TagNamesOf(contact));
        Assert.All(lead.Tags, t => Assert.NotNull(t.SyncedAt));
        Assert.NotNull(lead.SystemeSyncedAt);
    }

    [Fact]
    public async Task Capture_DuringAnOutage_IsKept_ShownRetrying_AndSyncedOnceSystemeReturns()
    {
        var ib = await fixture.App.SeedIbAsync("outage@ib.test", "Outage IB");
        Emulator.Down = true;
        try
        {
            var leadId = await CaptureAsync(ib, new { email = "patient@example.com", ib_type = "cfd-partner", monthly_leads = "<100" });
            var retrying = await WaitForStateAsync(ib, leadId, LeadSyncState.Retrying);
            Assert.Contains("503", retrying.SyncError, StringComparison.Ordinal);

            Emulator.Down = false;
            await WaitForStateAsync(ib, leadId, LeadSyncState.Synced);
        }
        finally
        {
            Emulator.Down = false;
        }

        var contact = Assert.Single(Emulator.Contacts, c => c.Email == "patient@example.com");
        Assert.Equal(3, Emulator.TagNamesOf(contact).Count);
        AssertNoDuplicateTags();
    }

    [Fact]
    public async Task Capture_DuringA429Storm_SyncsEveryLeadOnce()
    {
        var ib = await fixture.App.SeedIbAsync("storm@ib.test", "Storm IB");
        Emulator.RateLimitNext(12, retryAfterSeconds: 1);

        var ids = new List<Guid>();
        foreach (var i in Enumerable.Range(0, 5))
        {
            ids.Add(await CaptureAsync(ib, new { email = $"storm{i}@example.com", ib_type = "crypto-affiliate", monthly_leads = "100-499" }));
        }

        foreach (var id in ids)
        {
            await WaitForStateAsync(ib, id, LeadSyncState.Synced, TimeSpan.FromSeconds(60));
        }

        Assert.Equal(5, Emulator.Contacts.Count(c => c.Email.StartsWith("storm", StringComparison.Ordinal)));
        Assert.All(Emulator.Contacts.Where(c => c.Email.StartsWith("storm", StringComparison.Ordinal)), c => Assert.Equal(3, Emulator.TagNamesOf(c).Count));
        AssertNoDuplicateTags();
    }

    /// <summary>
    /// The capture's sync and a workflow's tag sync for the same lead are one conversation at a time: through a 503
    /// outage and a 429 storm no tag is assigned to a contact that already has it, and a later sync goes straight to
    /// the known contact instead of looking it up by email.
    /// </summary>
    [Fact]
    public async Task CaptureAndWorkflowTag_ThroughAnOutageAndA429Storm_AssignEachTagOnce_ThenUseTheKnownContact()
    {
        var ib = await fixture.App.SeedIbAsync("conversation@ib.test", "Conversation IB");
        await fixture.App.PublishWorkflowAsync(ib.TenantId, "Tag on capture", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new AddTagStep("vip")]);
        var redundantBefore = Emulator.RedundantAssignments;
        Emulator.FailNext(6);
        Emulator.RateLimitNext(10, retryAfterSeconds: 1);

        var ids = new List<Guid>();
        foreach (var i in Enumerable.Range(0, 10))
        {
            ids.Add(await CaptureAsync(ib, new { email = $"talk{i}@example.com", ib_type = "forex-ib", monthly_leads = "500+" }));
        }

        await AllSyncedAsync(ib, ids, "vip");
        Assert.Equal(redundantBefore, Emulator.RedundantAssignments);
        Assert.All(Emulator.Contacts.Where(c => c.Email.StartsWith("talk", StringComparison.Ordinal)), c => Assert.Contains($"{ib.TagPrefix}vip", Emulator.TagNamesOf(c)));

        // A tag added later: the sync reads the contact by its id, never by email again.
        var mark = Emulator.Requests.Count;
        await using (var scope = fixture.App.Services.CreateAsyncScope())
        {
            using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(ib.TenantId))
            {
                var db = scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>();
                foreach (var lead in await db.Leads.Include(l => l.Tags).Where(l => ids.Contains(l.Id)).ToListAsync(TestContext.Current.CancellationToken))
                {
                    await scope.ServiceProvider.GetRequiredService<LeadTagging>().AddAsync(lead, ["later"], TestContext.Current.CancellationToken);
                }

                await db.SaveChangesAsync(TestContext.Current.CancellationToken);
                scope.ServiceProvider.GetRequiredService<AfterCommit>().Flush();
            }
        }

        await AllSyncedAsync(ib, ids, "later");
        var later = Emulator.Requests.Skip(mark).ToList();
        Assert.DoesNotContain(later, r => r.Method == "GET" && r.PathAndQuery.StartsWith("/api/contacts?", StringComparison.Ordinal));
        Assert.All(Emulator.Contacts.Where(c => c.Email.StartsWith("talk", StringComparison.Ordinal)), c => Assert.Contains(later, r => r.Method == "GET" && r.PathAndQuery == $"/api/contacts/{c.Id}"));
        Assert.Equal(redundantBefore, Emulator.RedundantAssignments);
    }

    [Fact]
    public async Task SameEmail_FromTwoIbs_IsOneContact_CarryingBothPrefixes()
    {
        var john = await fixture.App.SeedIbAsync("john@shared.test", "John");
        var sarah = await fixture.App.SeedIbAsync("sarah@shared.test", "Sarah");

        await WaitForStateAsync(john, await CaptureAsync(john, new { email = "shared@example.com", ib_type = "forex-ib" }), LeadSyncState.Synced);
        await WaitForStateAsync(sarah, await CaptureAsync(sarah, new { email = "Shared@Example.com", ib_type = "crypto-affiliate" }), LeadSyncState.Synced);

        var contact = Assert.Single(Emulator.Contacts, c => c.Email == "shared@example.com");
        var tags = Emulator.TagNamesOf(contact);
        Assert.Contains($"{john.TagPrefix}forex-ib", tags);
        Assert.Contains($"{sarah.TagPrefix}crypto-affiliate", tags);
        Assert.Contains($"{john.TagPrefix}demo-request", tags);
        Assert.Contains($"{sarah.TagPrefix}demo-request", tags);
        Assert.Equal(john.TenantId.ToString(), contact.Fields["ib_owner_id"]);
    }

    [Fact]
    public async Task ARefusal_FailsTheSyncWithTheReason_AndRetryingByHandSyncsIt()
    {
        var ib = await fixture.App.SeedIbAsync("refused@ib.test", "Refused IB");
        Emulator.FailNext(1, 400);

        var leadId = await CaptureAsync(ib, new { email = "refused@example.com" });
        var failed = await WaitForStateAsync(ib, leadId, LeadSyncState.Failed);
        Assert.Contains("400", failed.SyncError, StringComparison.Ordinal);

        using var page = fixture.App.CreatePageClient();
        await page.LogInOrFailAsync(ib.Email);
        var details = await page.GetDocumentAsync($"/Leads/{leadId}");
        Assert.Equal("Failed", details.QuerySelector("[data-testid=sync-state]")?.GetAttribute("data-state"));
        Assert.Contains("400", details.QuerySelector("[data-testid=sync-error]")?.TextContent, StringComparison.Ordinal);
        using (var retry = await page.SubmitFormAsync($"/Leads/{leadId}", new Dictionary<string, string>(), "form[action*='RetrySync']"))
        {
            Assert.Equal(HttpStatusCode.Redirect, retry.StatusCode);
        }

        await WaitForStateAsync(ib, leadId, LeadSyncState.Synced);
    }

    [Fact]
    public async Task TheSweep_SyncsOutboxRowsThatHaveNoJob()
    {
        var ib = await fixture.App.SeedIbAsync("sweep@ib.test", "Sweep IB");
        await using (var scope = fixture.App.Services.CreateAsyncScope())
        {
            // As an import does: outbox rows written, no job enqueued.
            var capture = scope.ServiceProvider.GetRequiredService<LeadCapture>();
            await capture.CaptureValidAsync(ib.TenantId, [new LeadInput { Email = "swept@example.com" }], LeadSource.Import, syncNow: false, TestContext.Current.CancellationToken);
        }

        var unhanded = Assert.Single(await fixture.App.AsTenantAsync(ib.TenantId, db => db.OutboundOperations.AsNoTracking().ToListAsync(TestContext.Current.CancellationToken)));
        Assert.Null(unhanded.LeaseUntil);
        await using (var scope = fixture.App.Services.CreateAsyncScope())
        {
            // This sweep hands the row out, unless the app's own sweep (every minute) took it a moment before.
            var handedOut = await scope.ServiceProvider.GetRequiredService<OutboxSweep>().RunAsync(TestContext.Current.CancellationToken);
            var row = await fixture.App.AsTenantAsync(ib.TenantId, db => db.OutboundOperations.AsNoTracking().SingleAsync(TestContext.Current.CancellationToken));
            Assert.True(handedOut >= 1 || row.LeaseUntil is not null || row.Status == OutboundStatus.Done, "no sweep handed the row out");
        }

        var lead = (await fixture.App.LeadsOfAsync(ib.TenantId)).Single();
        await WaitForStateAsync(ib, lead.Id, LeadSyncState.Synced);
        var operations = await fixture.App.AsTenantAsync(ib.TenantId, db => db.OutboundOperations.ToListAsync(TestContext.Current.CancellationToken));
        Assert.All(operations, o => Assert.Equal(OutboundStatus.Done, o.Status));
    }

    private Task AllSyncedAsync(SeededIb ib, IReadOnlyList<Guid> ids, string slug) =>
        Eventually.HoldsAsync(
            async () =>
            {
                var leads = (await fixture.App.LeadsOfAsync(ib.TenantId)).Where(l => ids.Contains(l.Id)).ToList();
                return leads.All(l => l.SyncState == LeadSyncState.Synced && l.Tags.Any(t => t.Slug == slug) && l.Tags.All(t => t.SyncedAt != null));
            },
            $"every lead synced with {slug}",
            TimeSpan.FromSeconds(90));

    private void AssertNoDuplicateTags()
    {
        var names = Emulator.Tags.Values.ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    private async Task<Guid> CaptureAsync(SeededIb ib, object body)
    {
        using var response = await fixture.App.PostLeadAsync(ib.ApiKey, body);
        Assert.True(response.IsSuccessStatusCode, $"capture answered {(int)response.StatusCode}");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return json.RootElement.GetProperty("id").GetGuid();
    }

    private async Task<Lead> WaitForStateAsync(SeededIb ib, Guid leadId, LeadSyncState state, TimeSpan? timeout = null)
    {
        Lead? lead = null;
        await Eventually.HoldsAsync(
            async () =>
            {
                lead = (await fixture.App.LeadsOfAsync(ib.TenantId)).Single(l => l.Id == leadId);
                return lead.SyncState == state;
            },
            $"lead {leadId} to be {state} (last seen {lead?.SyncState}: {lead?.SyncError})",
            timeout);
        return lead!;
    }
}
