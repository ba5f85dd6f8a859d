using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClientFlow.Automation.Data;

public static class DataServiceCollectionExtensions
{
    /// <summary>Registers <see cref="ClientFlowDbContext"/> for the configured provider.</summary>
    /// <param name="contentRootPath">Relative SQLite paths are resolved against it.</param>
    public static IServiceCollection AddData(this IServiceCollection services, IConfiguration configuration, string contentRootPath)
    {
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        var options = configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
        switch (options.Provider)
        {
            case DatabaseProvider.Postgres:
                var postgres = configuration.GetConnectionString("Postgres");
                if (string.IsNullOrWhiteSpace(postgres))
                {
                    throw new InvalidOperationException("ConnectionStrings:Postgres must be set when Database:Provider is Postgres.");
                }

                services.AddDbContext<ClientFlowDbContext, PostgresClientFlowDbContext>(o => o.UseClientFlowPostgres(postgres).LogFailedSavesAsWarnings());
                services.AddSingleton(new WriterTurns(serialized: false));
                break;

            default:
                var sqlite = ResolveSqlite(configuration.GetConnectionString("Sqlite"), contentRootPath);
                services.AddDbContext<ClientFlowDbContext, SqliteClientFlowDbContext>(o => o.UseSqlite(sqlite).AddInterceptors(new SqlitePragmasInterceptor()).LogFailedSavesAsWarnings());
                services.AddSingleton(sp => new SqliteWalCheckpoint(sqlite, options.SqliteCheckpointInterval, sp.GetRequiredService<ILogger<SqliteWalCheckpoint>>()));
                services.AddHostedService(sp => sp.GetRequiredService<SqliteWalCheckpoint>());
                services.AddSingleton(new WriterTurns(serialized: true));
                break;
        }

        return services;
    }

    /// <summary>PostgreSQL as the app uses it: with the row-level security session settings, statements prepared once used.</summary>
    internal static DbContextOptionsBuilder UseClientFlowPostgres(this DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(PostgresAutoPrepare.Apply(connectionString)).AddInterceptors(new TenantSessionInterceptor());

    /// <summary>
    /// Unique keys are how ClientFlow settles races (a redelivered webhook, a second worker on a run),
    /// so a failed save is often the expected outcome and the caller handles it. EF Core would log each
    /// at Error; here it is a Warning. A failure nobody handles still surfaces at Error from its host
    /// (the request pipeline or Hangfire's failed job).
    /// </summary>
    private static DbContextOptionsBuilder LogFailedSavesAsWarnings(this DbContextOptionsBuilder options) =>
        options.ConfigureWarnings(w => w.Log(
            (CoreEventId.SaveChangesFailed, LogLevel.Warning),
            (RelationalEventId.CommandError, LogLevel.Warning)));

    /// <summary>Makes a relative <c>Data Source</c> absolute under the content root and creates its folder.</summary>
    public static string ResolveSqlite(string? connectionString, string contentRootPath)
    {
        var builder = new SqliteConnectionStringBuilder(
            string.IsNullOrWhiteSpace(connectionString) ? DatabaseOptions.DefaultSqliteConnectionString : connectionString);

        if (builder.Mode != SqliteOpenMode.Memory && !string.IsNullOrEmpty(builder.DataSource) && builder.DataSource != ":memory:")
        {
            var path = Path.GetFullPath(builder.DataSource, contentRootPath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            builder.DataSource = path;
        }

        return builder.ToString();
    }
}
