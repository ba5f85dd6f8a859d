using ClientFlow.Automation.Data;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ClientFlow.Tests.Postgres;

/// <summary>
/// Layer 4: PostgreSQL row-level security. Connected as an application role that neither owns the
/// tables nor bypasses RLS, a query that forgets the tenant filter still cannot cross tenants.
/// </summary>
public sealed class RowLevelSecurityTests : IAsyncLifetime
{
    private readonly PostgresTestDatabase _database = new();
    private string _appConnectionString = string.Empty;
    private Tenant _john = null!;
    private Tenant _sarah = null!;

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        var scope = new TenantScope();
        await using (var db = await _database.CreateMigratedContextAsync(scope))
        {
            var provisioner = new TenantProvisioner(db, new RandomTagPrefixGenerator(), TimeProvider.System, NullLogger<TenantProvisioner>.Instance);
            _john = await provisioner.CreateAsync("John", TestContext.Current.CancellationToken);
            _sarah = await provisioner.CreateAsync("Sarah", TestContext.Current.CancellationToken);
            foreach (var (tenant, count) in new[] { (_john, 2), (_sarah, 3) })
            {
                using (scope.Enter(tenant.Id))
                {
                    db.Leads.AddRange(Enumerable.Range(0, count).Select(i => new Lead { Email = $"lead{i}@example.com", CreatedAt = DateTimeOffset.UnixEpoch }));
                    await db.SaveChangesAsync(TestContext.Current.CancellationToken);
                }
            }
        }

        // The database's app role: it owns nothing and is not BYPASSRLS (PostgresTestDatabase).
        _appConnectionString = _database.ConnectionString;
    }

    public async ValueTask DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task RawQuery_SeesNoLeads_WithoutATenantSetting()
    {
        Assert.Equal(0L, await ScalarAsync(_appConnectionString, null, "SELECT count(*) FROM \"Leads\""));
    }

    [Fact]
    public async Task RawQuery_SeesOnlyTheSessionTenantsLeads()
    {
        Assert.Equal(2L, await ScalarAsync(_appConnectionString, _john.Id, "SELECT count(*) FROM \"Leads\""));
        Assert.Equal(3L, await ScalarAsync(_appConnectionString, _sarah.Id, "SELECT count(*) FROM \"Leads\""));
        Assert.Equal(0L, await ScalarAsync(_appConnectionString, _john.Id, $"SELECT count(*) FROM \"Leads\" WHERE \"TenantId\" = '{_sarah.Id}'"));
    }

    [Fact]
    public async Task RawInsert_IsRefused_ForAnotherTenantsRow()
    {
        var error = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(_appConnectionString, _john.Id, $"""
            INSERT INTO "Leads" ("Id", "TenantId", "Email", "Status", "SyncState", "CreatedAt")
            VALUES ('{Guid.CreateVersion7()}', '{_sarah.Id}', 'planted@example.com', 'New', 'NotSynced', now()) RETURNING 1
            """));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
        Assert.Equal(3L, await ScalarAsync(_appConnectionString, _sarah.Id, "SELECT count(*) FROM \"Leads\""));
    }

    [Fact]
    public async Task RawUpdate_CannotReach_AnotherTenantsRows()
    {
        var updated = await ScalarAsync(_appConnectionString, _john.Id,
            $"WITH u AS (UPDATE \"Leads\" SET \"Name\" = 'hijacked' WHERE \"TenantId\" = '{_sarah.Id}' RETURNING 1) SELECT count(*) FROM u");

        Assert.Equal(0L, updated);
    }

    [Fact]
    public async Task DbContext_QueryThatLiftsTheFilter_StillSeesOnlyItsTenant()
    {
        var scope = new TenantScope();
        using var _ = scope.Enter(_john.Id);
        await using var db = PostgresTestDatabase.CreateContext(scope, _appConnectionString);

        var tenants = await db.Leads.IgnoreQueryFilters([ClientFlowDbContext.TenantFilter])
            .Select(l => l.TenantId).Distinct().ToListAsync(TestContext.Current.CancellationToken);

        Assert.Equal([_john.Id], tenants);
    }

    [Fact]
    public async Task TenantDirectory_ReadsAcrossTenants_AsTheAppRole()
    {
        await using var db = PostgresTestDatabase.CreateContext(new TenantScope(), _appConnectionString);

        var summaries = await new TenantDirectory(db, TimeProvider.System).ListAsync("admin", TestContext.Current.CancellationToken);

        Assert.Equal(2, summaries.Single(s => s.Id == _john.Id).LeadCount);
        Assert.Equal(3, summaries.Single(s => s.Id == _sarah.Id).LeadCount);
        Assert.Equal(0, await db.Leads.IgnoreQueryFilters([ClientFlowDbContext.TenantFilter]).CountAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AppRole_OwnsNothing_AndCannotSwitchRowLevelSecurityOff()
    {
        var owned = await ScalarAsync(_appConnectionString, null, "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = current_user");
        var bypass = await ScalarAsync(_appConnectionString, null, "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user");
        var error = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(_appConnectionString, null, "ALTER TABLE \"Leads\" NO FORCE ROW LEVEL SECURITY"));

        Assert.Equal(0L, owned);
        Assert.Equal(false, bypass);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    [Fact]
    public async Task PreparedStatement_ReadsTheTenantOfEachExecution_NotOfItsPlan()
    {
        // The app's connections prepare what they repeat (PostgresAutoPrepare); a plan kept across executions, even the
        // generic one, must still read the session's tenant at each execution.
        await using var connection = new NpgsqlConnection(PostgresAutoPrepare.Apply(_appConnectionString));
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await ExecuteAsync(connection, null, "SET plan_cache_mode = force_generic_plan");

        var johns = new List<object?>();
        for (var i = 0; i < 3; i++)
        {
            johns.Add(await ExecuteAsync(connection, _john.Id, "SELECT count(*) FROM \"Leads\""));
        }

        var sarahs = await ExecuteAsync(connection, _sarah.Id, "SELECT count(*) FROM \"Leads\"");

        Assert.True((long)(await ExecuteAsync(connection, null, "SELECT count(*) FROM pg_prepared_statements"))! > 0, "nothing was prepared");
        Assert.All(johns, count => Assert.Equal(2L, count));
        Assert.Equal(3L, sarahs);
    }

    [Fact]
    public async Task PooledConnection_KeepsItsPreparedStatements_ButNotThePreviousTenant()
    {
        // One physical connection, so the second use is the first one's connection back from the pool.
        var single = new NpgsqlConnectionStringBuilder(PostgresAutoPrepare.Apply(_appConnectionString)) { MaxPoolSize = 1 }.ConnectionString;
        await using (var first = new NpgsqlConnection(single))
        {
            await first.OpenAsync(TestContext.Current.CancellationToken);
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(2L, await ExecuteAsync(first, _john.Id, "SELECT count(*) FROM \"Leads\""));
            }
        }

        await using var second = new NpgsqlConnection(single);
        await second.OpenAsync(TestContext.Current.CancellationToken);

        Assert.True((long)(await ExecuteAsync(second, null, "SELECT count(*) FROM pg_prepared_statements"))! > 0, "the pool's reset dropped the prepared statements");
        Assert.Equal(string.Empty, await ExecuteAsync(second, null, "SELECT coalesce(current_setting('clientflow.tenant_id', true), '')"));
        Assert.Equal(0L, await ExecuteAsync(second, null, "SELECT count(*) FROM \"Leads\""));
    }

    private static async Task<object?> ScalarAsync(string connectionString, Guid? tenantId, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        return await ExecuteAsync(connection, tenantId, sql);
    }

    private static async Task<object?> ExecuteAsync(NpgsqlConnection connection, Guid? tenantId, string sql)
    {
        if (tenantId is { } id)
        {
            await using var set = new NpgsqlCommand("SELECT set_config('clientflow.tenant_id', @t, false)", connection);
            set.Parameters.AddWithValue("t", id.ToString());
            await set.ExecuteScalarAsync(TestContext.Current.CancellationToken);
        }

        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(TestContext.Current.CancellationToken);
    }
}
