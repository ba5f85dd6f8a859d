using ClientFlow.Automation.Data;
using Microsoft.AspNetCore.Identity;
using ClientFlow.Automation.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace ClientFlow.Automation.Tenancy;

/// <summary>Signs up an IB: the tenant, its prefix, the user and the IB role, in one transaction; then a copy of the starter pack.</summary>
public sealed partial class IbAccounts(
    ClientFlowDbContext db, UserManager<ClientFlowUser> users, TenantProvisioner provisioner, StarterPacks starterPacks, ILogger<IbAccounts> logger)
{
    /// <param name="withStarterPack">Copy the starter pack into the new account (the demo seeder's IBs have their own workflows).</param>
    /// <param name="emailConfirmed">
    /// The address is already known to be the IB's (the demo's accounts, an operator's tooling); a sign-up confirms it by
    /// the link it is sent, and nothing is sent for it until then (<see cref="SendingGate"/>).
    /// </param>
    public async Task<IbRegistration> RegisterAsync(
        string email, string password, string name, CancellationToken cancellationToken, bool withStarterPack = true, bool emailConfirmed = false)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        var tenant = await provisioner.CreateAsync(name, cancellationToken);
        var user = new ClientFlowUser { UserName = email, Email = email, TenantId = tenant.Id, EmailConfirmed = emailConfirmed };

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

        if (withStarterPack)
        {
            try
            {
                var copy = await starterPacks.CopyToAsync(tenant.Id, cancellationToken);
                LogStarterPack(tenant.Id, copy.Summary);
            }
            catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException)
            {
                // The account stands without it; an admin can give the pack again from /Admin/Tenants.
                LogStarterPackFailed(ex, tenant.Id);
            }
        }

        return new IbRegistration(result, user, tenant);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "New IB {TenantId}: starter pack: {Summary}")]
    private partial void LogStarterPack(Guid tenantId, string summary);

    [LoggerMessage(Level = LogLevel.Warning, Message = "New IB {TenantId}: the starter pack could not be copied; an admin can give it from /Admin/Tenants")]
    private partial void LogStarterPackFailed(Exception exception, Guid tenantId);
}
