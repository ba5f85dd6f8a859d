using ClientFlow.Automation.Counters;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Outbox;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Leads;

/// <summary>
/// A capture batch writes its new rows several to a statement (<see cref="ClientFlowDbContext.InsertAddedAsync"/>):
/// each row must come back exactly as <c>SaveChanges</c> would have stored it, with the triggers it fires (counters,
/// search) fired once per row, and a failure must roll the batch back whole as a <see cref="DbUpdateException"/>.
/// </summary>
public abstract class CaptureBatchTests<TDatabase>(AppOnDatabase<TDatabase> fixture)
    where TDatabase : TestDatabase, new()
{
    /// <summary>Leads in the batch: several full statements and a shorter one, on either database (checked below).</summary>
    private const int BatchSize = 237;

    private readonly ClientFlowAppFactory _app = fixture.App;

    [Fact]
    public async Task ABatchOfSeveralStatements_StoresEveryRowWithItsTagsRunAndSync_AndFiresEachRowsTriggers()
    {
        var ib = await _app.SeedIbAsync("batch@capture.test", "Batch IB");
        await _app.SetMaxLeadsAsync(ib.TenantId, 1_000);
        var workflowId = await _app.PublishWorkflowAsync(ib.TenantId, "On capture", new WorkflowTrigger(TriggerKind.LeadCaptured, null),
            [new WaitStep(1, WaitUnit.Days)]);
        var earlier = await _app.CaptureAsync(ib.TenantId, new LeadInput { Email = "earlier@example.com", Name = "Earlier" });
        var rowsPerInsert = await _app.AsTenantAsync(ib.TenantId, db => Task.FromResult(db.RowsPerInsert(typeof(Lead))));
        Assert.True(BatchSize > 2 * rowsPerInsert && BatchSize % rowsPerInsert != 0, $"{BatchSize} leads span several statements of {rowsPerInsert} and a shorter one");

        // The batch also names the earlier lead, now with a volume: that lead is updated and gains a tag, not inserted.
        var inputs = Enumerable.Range(0, BatchSize)
            .Select(i => new LeadInput
            {
                Email = $"batch{i}@example.com",
                Name = $"Batch Person {i:000}",
                Phone = $"+44 20 7946 {i:0000}",
                IbType = "forex-ib",
                MonthlyLeads = i % 2 == 0 ? "500+" : "<100",
                BrokerNetwork = "Network A",
                Consent = "Signed up at the webinar",
            })
            .Append(new LeadInput { Email = "earlier@example.com", MonthlyLeads = "500+" })
            .ToList();
        var before = TimeProvider.System.GetUtcNow().AddSeconds(-1);
        IReadOnlyList<CaptureResult> results;
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            results = await scope.ServiceProvider.GetRequiredService<LeadCapture>().CaptureValidAsync(
                ib.TenantId, inputs, LeadSource.Import, syncNow: false, TestContext.Current.CancellationToken,
                origin: new CaptureOrigin(Ip: "203.0.113.9", UserAgent: "batch-agent"));
        }

        var after = TimeProvider.System.GetUtcNow().AddSeconds(1);
        Assert.Equal(BatchSize, results.Count(r => r.Status == CaptureStatus.Created));
        Assert.Equal(CaptureStatus.Existing, results[^1].Status);

        var leads = (await _app.LeadsOfAsync(ib.TenantId)).ToDictionary(l => l.Email);
        Assert.Equal(BatchSize + 1, leads.Count);
        for (var i = 0; i < BatchSize; i++)
        {
            var input = inputs[i];
            var lead = leads[input.Email!];
            Assert.Equal(results[i].Lead!.Id, lead.Id);
            Assert.Equal((input.Name, input.Phone, input.IbType, input.MonthlyLeads, input.BrokerNetwork), (lead.Name, lead.Phone, lead.IbType, lead.MonthlyLeads, lead.BrokerNetwork));
            Assert.Equal((LeadSource.Import, LeadStatus.Nurturing, LeadSyncState.NotSynced), (lead.Source, lead.Status, lead.SyncState));
            Assert.Equal(("Signed up at the webinar", "203.0.113.9", "batch-agent"), (lead.ConsentText, lead.ConsentIp, lead.ConsentUserAgent));
            Assert.InRange(lead.CreatedAt, before, after);
            Assert.Equal(lead.CreatedAt, lead.ConsentAt);
            Assert.Equal(results[i].Lead!.Ref, lead.Ref);
            Assert.Equal(CaptureTags.For(input.IbType, input.MonthlyLeads).Order(StringComparer.Ordinal), lead.Tags.Select(t => t.Slug).Order(StringComparer.Ordinal));
            Assert.All(lead.Tags, t => Assert.Equal(ib.TenantId, t.TenantId));
        }

        Assert.Contains("high-volume", leads["earlier@example.com"].Tags.Select(t => t.Slug));

        var (runs, outbox, counters, found) = await _app.AsTenantAsync(ib.TenantId, async db => (
            await db.WorkflowRuns.AsNoTracking().ToListAsync(TestContext.Current.CancellationToken),
            await db.OutboundOperations.AsNoTracking().Where(o => o.Kind == OutboundKind.SystemeLeadSync).ToListAsync(TestContext.Current.CancellationToken),
            await db.CountersAsync(TestContext.Current.CancellationToken),
            await db.LeadsMatching("Person 123").Select(l => l.Email).ToListAsync(TestContext.Current.CancellationToken)));

        // Every generated key orders by creation time (UUID version 7), so the batch appends to its key indexes.
        Assert.All(leads.Values.SelectMany(l => l.Tags.Select(t => t.Id).Append(l.Id)).Concat(runs.Select(r => r.Id)).Concat(outbox.Select(o => o.Id)), id => Assert.Equal(7, id.Version));

        // One run per new lead (and the earlier lead's own), each pointing at its lead and leased to its first job.
        Assert.Equal(BatchSize + 1, runs.Count);
        Assert.Equal(leads.Values.Select(l => l.Id).Order(), runs.Select(r => r.LeadId).Order());
        Assert.All(runs, r => Assert.Equal((workflowId, ib.TenantId), (r.WorkflowId, r.TenantId)));
        Assert.All(runs, r => Assert.NotNull(r.EnrolmentKey));

        // A sync for every new lead, and one for the earlier lead's new tag (besides the one of its own capture).
        var created = results.Take(BatchSize).Select(r => r.Lead!.Id).ToHashSet();
        Assert.Equal(created.Order(), outbox.Where(o => created.Contains(o.LeadId!.Value)).Select(o => o.LeadId!.Value).Order());
        Assert.Equal(2, outbox.Count(o => o.LeadId == earlier));

        // Each inserted row fired its counter triggers once, and the search index took each new lead.
        Assert.Equal(BatchSize + 1, counters.Of(TenantCounterTriggers.Leads));
        Assert.Equal(BatchSize + 1, counters.Of(TenantCounterTriggers.LeadsNurtured));
        Assert.Equal(["batch123@example.com"], found);
        Assert.Equal(earlier, leads["earlier@example.com"].Id);
    }

    [Fact]
    public async Task ARowThatBreaksAUniqueKey_FailsTheWholeInsertAsAnUpdateException_AndNothingIsMarkedSaved()
    {
        var ib = await _app.SeedIbAsync("unique@capture.test", "Unique IB");
        await _app.CaptureAsync(ib.TenantId, new LeadInput { Email = "taken@example.com" });

        await using var scope = _app.Services.CreateAsyncScope();
        using var tenant = scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(ib.TenantId);
        var db = scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>();
        var now = TimeProvider.System.GetUtcNow();
        var fresh = Enumerable.Range(0, db.RowsPerInsert(typeof(Lead)) + 5)
            .Select(i => new Lead { Email = $"fresh{i}@example.com", Source = LeadSource.Api, CreatedAt = now })
            .ToList();
        db.Leads.AddRange(fresh);
        db.Leads.Add(new Lead { Email = "taken@example.com", Source = LeadSource.Api, CreatedAt = now });

        await using (var transaction = await db.Database.BeginTransactionAsync(TestContext.Current.CancellationToken))
        {
            var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.InsertAddedAsync([typeof(Lead)], TestContext.Current.CancellationToken));
            Assert.True(db.IsUniqueViolation(error));
        }

        Assert.All(fresh, l => Assert.Equal(EntityState.Added, db.Entry(l).State));
        db.ChangeTracker.Clear();
        Assert.Equal(["taken@example.com"], await db.Leads.Select(l => l.Email).ToListAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task RowsChangedAfterTheyWereAdded_AndAgainAfterTheyWereSaved_AreStoredAsTheTenantsOwn()
    {
        var ib = await _app.SeedIbAsync("tracked@capture.test", "Tracked IB");
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var scope = _app.Services.CreateAsyncScope();
        using var tenant = scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(ib.TenantId);
        var db = scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>();
        var now = TimeProvider.System.GetUtcNow();

        // Changed on the object after it was added, not through the tracker: the save still sees the change.
        var saved = new Lead { Email = "saved@example.com", Name = "First", Source = LeadSource.Api, CreatedAt = now };
        db.Leads.Add(saved);
        saved.Name = "Second";
        await db.SaveChangesAsync(cancellationToken);

        var together = new Lead { Email = "together@example.com", Source = LeadSource.Api, CreatedAt = now };
        db.Leads.Add(together);
        together.Name = "Added";
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await db.InsertAddedAsync([typeof(Lead)], cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        // Both were given the tenant on their first save; changed again, each is an update of the tenant's own lead.
        saved.Phone = "+44 20 7946 0000";
        together.Name = "Changed";
        await db.SaveChangesAsync(cancellationToken);

        Assert.True(db.ChangeTracker.AutoDetectChangesEnabled);
        var stored = (await _app.LeadsOfAsync(ib.TenantId)).ToDictionary(l => l.Email);
        Assert.Equal(("Second", "+44 20 7946 0000"), (stored["saved@example.com"].Name, stored["saved@example.com"].Phone));
        Assert.Equal("Changed", stored["together@example.com"].Name);
        Assert.All(stored.Values, l => Assert.Equal(ib.TenantId, l.TenantId));
    }
}

public sealed class SqliteCaptureBatchTests(AppOnDatabase<SqliteTestDatabase> fixture)
    : CaptureBatchTests<SqliteTestDatabase>(fixture), IClassFixture<AppOnDatabase<SqliteTestDatabase>>;
