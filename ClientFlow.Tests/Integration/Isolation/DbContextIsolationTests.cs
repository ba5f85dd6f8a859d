using ClientFlow.Automation.Data;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClientFlow.Tests.Integration.Isolation;

/// <summary>
/// Layer 1 (rows): three IBs with leads; each context sees only its own rows and cannot write
/// another tenant's. Runs on SQLite and on PostgreSQL (subclasses pick the database).
/// </summary>
public abstract class DbContextIsolationTests<TDatabase> : IAsyncLifetime
    where TDatabase : TestDatabase, new()
{
    protected TDatabase Database { get; } = new();

    protected IReadOnlyList<(Tenant Tenant, List<Lead> Leads)> Ibs { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        await Database.InitializeAsync();
        var scope = new TenantScope();
        await using var db = await Database.CreateMigratedContextAsync(scope);

        var ibs = new List<(Tenant, List<Lead>)>();
        foreach (var (name, count) in new[] { ("John", 3), ("Sarah", 2), ("Mike", 4) })
        {
            var tenant = await new TenantProvisioner(db, new RandomTagPrefixGenerator(), TimeProvider.System, NullLogger<TenantProvisioner>.Instance)
                .CreateAsync(name, TestContext.Current.CancellationToken);
            using (scope.Enter(tenant.Id))
            {
                // The same address under every IB: one lead per tenant, never shared.
                var leads = Enumerable.Range(1, count)
                    .Select(i => new Lead { Email = i == 1 ? "shared@example.com" : $"{name.ToLowerInvariant()}{i}@example.com", CreatedAt = DateTimeOffset.UnixEpoch })
                    .ToList();
                foreach (var lead in leads)
                {
                    lead.Tags.Add(new LeadTag { Slug = CaptureTags.DemoRequest, AddedAt = DateTimeOffset.UnixEpoch });
                }

                db.Leads.AddRange(leads);
                await db.SaveChangesAsync(TestContext.Current.CancellationToken);
                ibs.Add((tenant, leads));
            }
        }

        Ibs = ibs;
    }

    public ValueTask DisposeAsync() => Database.DisposeAsync();

    [Fact]
    public async Task Query_ReturnsOnlyOwnRows_ForEachTenant()
    {
        foreach (var (tenant, leads) in Ibs)
        {
            var scope = new TenantScope();
            using var _ = scope.Enter(tenant.Id);
            await using var db = Database.CreateContext(scope);

            var seen = await db.Leads.Select(l => l.Id).ToListAsync(TestContext.Current.CancellationToken);
            var tags = await db.LeadTags.Select(t => t.TenantId).ToListAsync(TestContext.Current.CancellationToken);

            Assert.Equal(leads.Select(l => l.Id).Order(), seen.Order());
            Assert.Equal(leads.Count, tags.Count);
            Assert.All(tags, id => Assert.Equal(tenant.Id, id));
        }
    }

    [Fact]
    public async Task Find_ReturnsNothing_ForAnotherTenantsId()
    {
        var (john, _) = Ibs[0];
        var sarahLead = Ibs[1].Leads[0];
        var scope = new TenantScope();
        using var _ = scope.Enter(john.Id);
        await using var db = Database.CreateContext(scope);

        Assert.Null(await db.Leads.SingleOrDefaultAsync(l => l.Id == sarahLead.Id, TestContext.Current.CancellationToken));
        Assert.Null(await db.Leads.FirstOrDefaultAsync(l => l.Email == "sarah2@example.com", TestContext.Current.CancellationToken));
        Assert.Single(await db.Leads.Where(l => l.Email == "shared@example.com").ToListAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Query_ReturnsNothing_WithNoTenantInScope()
    {
        await using var db = Database.CreateContext(new TenantScope());

        Assert.Equal(0, await db.Leads.CountAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, await db.LeadTags.CountAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Save_StampsNewRows_WithTheCurrentTenant()
    {
        var (mike, _) = Ibs[2];
        var scope = new TenantScope();
        using var _ = scope.Enter(mike.Id);
        await using var db = Database.CreateContext(scope);

        var lead = new Lead { Email = "new@example.com", CreatedAt = DateTimeOffset.UnixEpoch };
        db.Leads.Add(lead);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);

        Assert.Equal(mike.Id, lead.TenantId);
    }

    [Fact]
    public async Task Save_RefusesToInsert_ARowOfAnotherTenant()
    {
        var (john, _) = Ibs[0];
        var (sarah, _) = Ibs[1];
        var scope = new TenantScope();
        using var _ = scope.Enter(john.Id);
        await using var db = Database.CreateContext(scope);

        db.Leads.Add(new Lead { Email = "planted@example.com", TenantId = sarah.Id, CreatedAt = DateTimeOffset.UnixEpoch });

        await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync(TestContext.Current.CancellationToken));
        await AssertLeadCountAsync(sarah.Id, Ibs[1].Leads.Count);
    }

    [Fact]
    public async Task Save_RefusesToUpdateOrDelete_ARowOfAnotherTenant()
    {
        var (john, _) = Ibs[0];
        var sarahLead = Ibs[1].Leads[1];
        var scope = new TenantScope();
        using var _ = scope.Enter(john.Id);

        await using (var db = Database.CreateContext(scope))
        {
            var stolen = new Lead { Id = sarahLead.Id, TenantId = sarahLead.TenantId, Email = "hijacked@example.com", CreatedAt = DateTimeOffset.UnixEpoch };
            db.Leads.Update(stolen);
            await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync(TestContext.Current.CancellationToken));
        }

        await using (var db = Database.CreateContext(scope))
        {
            db.Leads.Remove(new Lead { Id = sarahLead.Id, TenantId = sarahLead.TenantId, Email = sarahLead.Email });
            await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync(TestContext.Current.CancellationToken));
        }

        await AssertLeadCountAsync(sarahLead.TenantId, Ibs[1].Leads.Count);
        await AssertEmailAsync(sarahLead, sarahLead.Email);
    }

    [Fact]
    public async Task Save_RefusesToMove_ARowToAnotherTenant()
    {
        var (john, johnLeads) = Ibs[0];
        var (sarah, _) = Ibs[1];
        var scope = new TenantScope();
        using var _ = scope.Enter(john.Id);
        await using var db = Database.CreateContext(scope);

        var lead = await db.Leads.SingleAsync(l => l.Id == johnLeads[1].Id, TestContext.Current.CancellationToken);
        lead.TenantId = sarah.Id;

        await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Save_RefusesTenantRows_WithNoTenantInScope()
    {
        await using var db = Database.CreateContext(new TenantScope());

        db.Leads.Add(new Lead { Email = "orphan@example.com", TenantId = Ibs[0].Tenant.Id, CreatedAt = DateTimeOffset.UnixEpoch });

        await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task TenantDirectory_CountsEveryTenantsLeads_AndAuditsTheRead()
    {
        await using var db = Database.CreateContext(new TenantScope());
        var directory = new TenantDirectory(db, TimeProvider.System);

        var summaries = await directory.ListAsync("admin-user-id", TestContext.Current.CancellationToken);

        foreach (var (tenant, leads) in Ibs)
        {
            var summary = Assert.Single(summaries, s => s.Id == tenant.Id);
            Assert.Equal(leads.Count, summary.LeadCount);
            Assert.Equal(tenant.TagPrefix, summary.TagPrefix);
        }

        var audit = await db.AuditEntries.SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal(("admin-user-id", "admin.tenants.list"), (audit.ActorUserId, audit.Action));

        // The lifted filter does not leak into the context's next query.
        Assert.Equal(0, await db.Leads.CountAsync(TestContext.Current.CancellationToken));
    }

    private async Task AssertLeadCountAsync(Guid tenantId, int expected)
    {
        var scope = new TenantScope();
        using var _ = scope.Enter(tenantId);
        await using var db = Database.CreateContext(scope);
        Assert.Equal(expected, await db.Leads.CountAsync(TestContext.Current.CancellationToken));
    }

    private async Task AssertEmailAsync(Lead lead, string expected)
    {
        var scope = new TenantScope();
        using var _ = scope.Enter(lead.TenantId);
        await using var db = Database.CreateContext(scope);
        Assert.Equal(expected, (await db.Leads.SingleAsync(l => l.Id == lead.Id, TestContext.Current.CancellationToken)).Email);
    }
}

public sealed class SqliteDbContextIsolationTests : DbContextIsolationTests<SqliteTestDatabase>;
