using ClientFlow.Automation.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Automation.Tenancy;

/// <summary>Signs up an IB: the tenant, its prefix, the user and the IB role, in one transaction.</summary>
public sealed class IbAccounts(ClientFlowDbContext db, UserManager<ClientFlowUser> users, TenantProvisioner provisioner)
{
    public async Task<IbRegistration> RegisterAsync(string email, string password, string name, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        var tenant = await provisioner.CreateAsync(name, cancellationToken);
        var user = new ClientFlowUser { UserName = email, Email = email, TenantId = tenant.Id };

        var result = await users.CreateAsync(user, password);
        if (result.Succeeded)
        {
            result = await users.AddToRoleAsync(user, Roles.Ib);
        }

        if (!result.Succeeded)
        {
            await transaction.RollbackAsync(cancellationToken);
            db.ChangeTracker.Clear();
            return new IbRegistration(result, null, null);
        }

        await transaction.CommitAsync(cancellationToken);
        return new IbRegistration(result, user, tenant);
    }
}
