using System.Data.Common;
using System.Net.Http.Headers;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Diagnostics;
using ClientFlow.Automation.Jobs;
using ClientFlow.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Serilog.Core;

namespace ClientFlow.Tests.Integration.Diagnostics;

/// <summary>
/// The real app with a scrape token, a webhook secret and a clock the test moves (the gauges' snapshot ages by it).
/// The recurring sweeps are removed, so a minute boundary cannot hand out the rows a test counts, and inbox jobs are
/// dropped, so a stored event stays unprocessed while the test looks at it.
/// </summary>
public sealed class MetricsApp : SqliteApp
{
    public const string ScrapeToken = "scrape-token-for-tests-0123456789abcdef";
    public const string WebhookSecret = "metrics-webhook-secret";

    public FakeTimeProvider Clock { get; } = new(TimeProvider.System.GetUtcNow());

    public TestLogSink Log { get; } = new();

    /// <summary>While true, every synchronous read fails as a database that went away does (the gauges read synchronously).</summary>
    public bool DatabaseDown { get; set; }

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Metrics:ScrapeToken"] = ScrapeToken,
        ["Systeme:WebhookSecret"] = WebhookSecret,
    };

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        App.RemoveRecurringSweeps();
    }

    /// <summary>A client that authenticates the way a Prometheus server does: the scrape token as a bearer.</summary>
    public HttpClient CreateScraper(bool followRedirects = true)
    {
        var client = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = followRedirects });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ScrapeToken);
        return client;
    }

    /// <summary>Scrapes once the gauges' last snapshot has aged out, so they show the database as it is now.</summary>
    public async Task<PrometheusExposition> ScrapeFreshAsync()
    {
        Clock.Advance(LoadSnapshots.MaxAge);
        using var scraper = CreateScraper();
        return await PrometheusExposition.ScrapeAsync(scraper);
    }

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.RemoveAll<TimeProvider>();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddSingleton<ILogEventSink>(Log);
        DroppingJobClient.Register(services, job => job.Type == typeof(InboxJob));
        services.ConfigureDbContext<SqliteClientFlowDbContext>(o => o.AddInterceptors(new Outage(this)));
    }

    private sealed class Outage(MetricsApp app) : DbCommandInterceptor
    {
        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) =>
            app.DatabaseDown ? throw new SqliteException("unable to open database file", 14) : result;
    }
}
