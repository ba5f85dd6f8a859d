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
}
