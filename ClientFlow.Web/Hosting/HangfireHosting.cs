using System.Globalization;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Jobs;
using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;

namespace ClientFlow.Web.Hosting;

/// <summary>
/// Hangfire follows the database: in-memory storage on SQLite (one node; the engine's own tables
/// are the source of truth), PostgreSQL storage on PostgreSQL (many nodes). Storage and activator
/// are registered per host instead of through Hangfire's process-wide statics, so two hosts in one
/// process (tests) never share jobs.
/// </summary>
public static class HangfireHosting
{
    public static IServiceCollection AddClientFlowHangfire(this IServiceCollection services, IConfiguration configuration)
    {
        var database = configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();

        // With an owner role configured, the owner installs Hangfire's schema at start-up (InstallPostgresSchema)
        // and the app role only reads and writes its rows.
        var installsItsOwnSchema = string.IsNullOrWhiteSpace(configuration.GetConnectionString(MigrationsConnectionName));
        services.AddSingleton<JobStorage>(_ => database.Provider == DatabaseProvider.Postgres
            ? CreatePostgresStorage(configuration.GetConnectionString("Postgres")!, installsItsOwnSchema)
            : new InMemoryStorage(new InMemoryStorageOptions()));
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));

        services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            // Jobs run in the app's culture, and a job stores its creator's culture only where that differs: not two
            // parameters on each of the 100,000 waits an import schedules, which the in-memory storage holds until due.
            .UseDefaultCulture(CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture, captureDefault: false));

        services.AddHangfireServer(options =>
        {
            // The default (15 s) would fire a "wait 5 minutes" up to 15 s late.
            options.SchedulePollingInterval = TimeSpan.FromSeconds(1);
            options.Queues = [.. JobQueues.All];

            // The scheduler moves due delayed jobs (the wakes of waits ending) to their queues one state change at a time:
            // on PostgreSQL storage a few round trips each, so at 50 waits ending a second, when each wait had a job of
            // its own, it fell behind by seconds.
            // Four at a time keeps a wait's lateness within the poll (docs/benchmarks.md).
            options.MaxDegreeOfParallelismForSchedulers = 4;
        });

        return services;
    }

    /// <summary>The owner role's connection (DESIGN.md); empty means the app role migrates and installs.</summary>
    public const string MigrationsConnectionName = "PostgresMigrations";

    public const string PostgresSchema = "hangfire";

    /// <summary>Creates or upgrades Hangfire's schema as the role of <paramref name="ownerConnectionString"/>.</summary>
    public static void InstallPostgresSchema(string ownerConnectionString) => CreatePostgresStorage(ownerConnectionString, prepareSchema: true);

    private static PostgreSqlStorage CreatePostgresStorage(string connectionString, bool prepareSchema)
    {
        var options = new PostgreSqlStorageOptions
        {
            SchemaName = PostgresSchema,
            PrepareSchemaIfNecessary = prepareSchema,
            // A dead worker's job comes back after 5 minutes, not the default 30;
            // live long jobs keep their lease through the sliding renewal.
            InvisibilityTimeout = TimeSpan.FromMinutes(5),
            UseSlidingInvisibilityTimeout = true,
            QueuePollInterval = TimeSpan.FromSeconds(1),
        };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(PostgresAutoPrepare.Apply(connectionString), options), options);
    }
}
