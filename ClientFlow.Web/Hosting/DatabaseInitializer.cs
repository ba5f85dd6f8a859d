using ClientFlow.Automation.Data;
using ClientFlow.Automation.Jobs;
using ClientFlow.Automation.Systeme;
using Hangfire;
using ClientFlow.Automation.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClientFlow.Web.Hosting;

/// <summary>Start-up work before the first request: migrations, roles, the configured admin, the Development demo.</summary>
public static partial class DatabaseInitializer
{
    public static async Task InitializeClientFlowAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseInitializer));

        var db = services.GetRequiredService<ClientFlowDbContext>();
        var owner = app.Configuration.GetConnectionString(HangfireHosting.MigrationsConnectionName);
        if (db.Database.IsNpgsql() && !string.IsNullOrWhiteSpace(owner))
        {
            // The owner migrates and installs Hangfire's schema; the app role gets DML on what it made, nothing more.
            await PostgresRoles.MigrateAsOwnerAsync(owner, cancellationToken);
            HangfireHosting.InstallPostgresSchema(owner);
            await PostgresRoles.GrantDataAccessAsync(owner, db.Database.GetConnectionString()!, ["public", HangfireHosting.PostgresSchema], cancellationToken);
        }
        else
        {
            await db.Database.MigrateAsync(cancellationToken);
        }

        LogMigrated(logger, db.Database.ProviderName);

        var roles = services.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                ThrowIfFailed(await roles.CreateAsync(new IdentityRole(role)), $"create role {role}");
            }
        }

        var admin = services.GetRequiredService<IOptions<AdminOptions>>().Value;
        var demo = services.GetRequiredService<IOptions<DemoOptions>>().Value;
        var isDevelopment = app.Environment.IsDevelopment();
        if (isDevelopment && string.IsNullOrWhiteSpace(admin.Email))
        {
            admin.Email = DemoSeeder.AdminEmail;
            if (string.IsNullOrEmpty(admin.Password))
            {
                admin.Password = demo.Password;
            }
        }

        if (!string.IsNullOrWhiteSpace(admin.Email))
        {
            await EnsureAdminAsync(services.GetRequiredService<UserManager<ClientFlowUser>>(), admin, logger);
        }

        if (isDevelopment)
        {
            await ActivatorUtilities.CreateInstance<DemoSeeder>(services).SeedAsync(demo, cancellationToken);
        }

        services.GetRequiredService<IRecurringJobManager>().AddOrUpdate<OutboxSweepJob>(
            OutboxSweepJob.RecurringId, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        services.GetRequiredService<IRecurringJobManager>().AddOrUpdate<EngineSweepJob>(
            EngineSweepJob.RecurringId, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        services.GetRequiredService<IRecurringJobManager>().AddOrUpdate<InboxSweepJob>(
            InboxSweepJob.RecurringId, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        services.GetRequiredService<IRecurringJobManager>().AddOrUpdate<RetentionJob>(
            RetentionJob.RecurringId, job => job.RunAsync(CancellationToken.None), Cron.Hourly());
        var reconcileMinutes = services.GetRequiredService<IOptions<SystemeOptions>>().Value.ReconcileMinutes;
        if (reconcileMinutes > 0)
        {
            services.GetRequiredService<IRecurringJobManager>().AddOrUpdate<SystemeReconcileJob>(
                SystemeReconcileJob.RecurringId, job => job.RunAllAsync(CancellationToken.None), SystemeReconcileJob.Cron(reconcileMinutes));
        }
        else
        {
            services.GetRequiredService<IRecurringJobManager>().RemoveIfExists(SystemeReconcileJob.RecurringId);
        }
    }

    private static async Task EnsureAdminAsync(UserManager<ClientFlowUser> users, AdminOptions admin, ILogger logger)
    {
        var user = await users.FindByEmailAsync(admin.Email!);
        if (user is null)
        {
            if (string.IsNullOrEmpty(admin.Password))
            {
                throw new InvalidOperationException("Admin:Password must be set to create the admin named by Admin:Email.");
            }

            user = new ClientFlowUser { UserName = admin.Email, Email = admin.Email, EmailConfirmed = true };
            ThrowIfFailed(await users.CreateAsync(user, admin.Password), "create the admin from Admin:Email (check Admin:Password against the password rules)");
            LogAdminCreated(logger, admin.Email!);
        }

        if (!await users.IsInRoleAsync(user, Roles.Admin))
        {
            ThrowIfFailed(await users.AddToRoleAsync(user, Roles.Admin), "grant the Admin role");
        }
    }

    internal static void ThrowIfFailed(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Could not {what}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Database ready ({Provider})")]
    private static partial void LogMigrated(ILogger logger, string? provider);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created admin {AdminEmail}")]
    private static partial void LogAdminCreated(ILogger logger, string adminEmail);
}
