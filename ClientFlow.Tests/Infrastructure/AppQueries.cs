using ClientFlow.Automation.Data;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Infrastructure;

/// <summary>Reads a host's database the way its own code does: inside one tenant's scope.</summary>
public static class AppQueries
{
    public static async Task<T> AsTenantAsync<T>(this ClientFlowAppFactory app, Guid tenantId, Func<ClientFlowDbContext, Task<T>> query)
    {
        await using var scope = app.Services.CreateAsyncScope();
        using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(tenantId))
        {
            return await query(scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>());
        }
    }

    public static Task<List<Lead>> LeadsOfAsync(this ClientFlowAppFactory app, Guid tenantId) =>
        app.AsTenantAsync(tenantId, db => db.Leads.AsNoTracking().Include(l => l.Tags).OrderBy(l => l.CreatedAt).ToListAsync(TestContext.Current.CancellationToken));

    public static async Task SetMaxLeadsAsync(this ClientFlowAppFactory app, Guid tenantId, int maxLeads)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>();
        await db.Tenants.Where(t => t.Id == tenantId).ExecuteUpdateAsync(s => s.SetProperty(t => t.MaxLeads, maxLeads), TestContext.Current.CancellationToken);
    }

    /// <summary>Stores a CSV upload as an import not started yet (its job is for the test to run: <see cref="RunImportAsync"/>).</summary>
    public static Task<Guid> AddImportAsync(this ClientFlowAppFactory app, Guid tenantId, string fileName, string csv) =>
        app.AsTenantAsync(tenantId, async db =>
        {
            var import = new Automation.Leads.Import.LeadImport { FileName = fileName, Content = System.Text.Encoding.UTF8.GetBytes(csv), CreatedAt = TimeProvider.System.GetUtcNow() };
            db.LeadImports.Add(import);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            return import.Id;
        });

    /// <summary>Runs an import in a scope of its own, in its tenant, as its Hangfire job does.</summary>
    public static async Task RunImportAsync(this ClientFlowAppFactory app, Guid tenantId, Guid importId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(tenantId))
        {
            await scope.ServiceProvider.GetRequiredService<Automation.Leads.Import.LeadImporter>().RunAsync(importId, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Takes one from the tenant's daily allowance in a scope of its own, as one request or job would.</summary>
    public static async Task<bool> TryTakeDailyAsync(this ClientFlowAppFactory app, Guid tenantId, DailyLimitKind kind)
    {
        await using var scope = app.Services.CreateAsyncScope();
        using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(tenantId))
        {
            return await scope.ServiceProvider.GetRequiredService<DailyAllowance>().TryTakeAsync(tenantId, kind, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Sets an IB's own daily limit (an admin does this on /Admin/Tenants/{id}).</summary>
    public static Task<int> SetDailyTestSendsAsync(this ClientFlowAppFactory app, Guid tenantId, int? limit) =>
        app.AsTenantAsync(tenantId, db => db.Tenants.Where(t => t.Id == tenantId).ExecuteUpdateAsync(s => s.SetProperty(t => t.DailyTestSends, limit), TestContext.Current.CancellationToken));

    /// <summary>Gives the IB's login a mobile number confirmed as its own (Settings does this with a texted code).</summary>
    public static async Task ConfirmPhoneAsync(this ClientFlowAppFactory app, string email, string number)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>();
        Assert.Equal(1, await db.Users.Where(u => u.Email == email)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.PhoneNumber, number).SetProperty(u => u.PhoneNumberConfirmed, true), TestContext.Current.CancellationToken));
    }
}
