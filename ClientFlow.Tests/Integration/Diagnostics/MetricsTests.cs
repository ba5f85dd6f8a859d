using System.Net;
using System.Text;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Leads.Import;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Diagnostics;

/// <summary>
/// <c>/metrics</c>: only admins and a Prometheus server holding <c>Metrics:ScrapeToken</c> read it (an IB gets 404 like
/// every admin surface, anyone else 401); it serves the Prometheus text format with ClientFlow's gauges and counters,
/// ASP.NET Core's and the runtime's; and the hot paths count what they did.
/// </summary>
public sealed class MetricsTests(MetricsApp fixture) : IClassFixture<MetricsApp>
{
    private ClientFlowAppFactory App => fixture.App;

    [Fact]
    public async Task Scrape_Anonymous_IsChallengedForABearerToken()
    {
        using var client = App.CreatePageClient();

        using var response = await client.Http.GetAsync("/metrics", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer realm=\"ClientFlow metrics\"", response.Headers.WwwAuthenticate.ToString());
        Assert.DoesNotContain("clientflow_", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_AsAnIb_IsNotFound()
    {
        var ib = await App.SeedIbAsync("ib@metrics.test", "Metrics IB");
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);

        using var response = await client.Http.GetAsync("/metrics", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("clientflow_", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_AsAdmin_ServesThePrometheusTextFormat()
    {
        using var admin = App.CreatePageClient();
        await admin.LogInOrFailAsync(ClientFlowAppFactory.AdminEmail);

        var metrics = await PrometheusExposition.ScrapeAsync(admin.Http);

        Assert.Contains("# TYPE clientflow_outbox_depth gauge", metrics.Text, StringComparison.Ordinal);
        Assert.Contains("# TYPE clientflow_engine_lag_seconds gauge", metrics.Text, StringComparison.Ordinal);
        foreach (var gauge in new[]
        {
            "clientflow_runs_due", "clientflow_runs_late", "clientflow_engine_lag_seconds", "clientflow_outbox_depth",
            "clientflow_outbox_oldest_age_seconds", "clientflow_outbox_dead_lettered", "clientflow_inbox_depth",
            "clientflow_inbox_oldest_age_seconds", "clientflow_systeme_budget_remaining", "clientflow_systeme_pause_remaining_seconds",
        })
        {
            Assert.True(metrics.Value(gauge) >= 0, gauge);
        }

        Assert.Equal(4, metrics.Value("clientflow_systeme_rate_limit_per_second"));

        // The runtime's and ASP.NET Core's meters: the admin's own login was a request.
        Assert.True(metrics.Value("dotnet_process_memory_working_set_bytes") > 0);
        Assert.Contains("http_server_request_duration_seconds_count{", metrics.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_WithTheScrapeToken_IsServed_AndAWrongTokenIsRefused()
    {
        using var scraper = fixture.CreateScraper();
        Assert.Contains("clientflow_runs_due", (await PrometheusExposition.ScrapeAsync(scraper)).Text, StringComparison.Ordinal);

        using var wrong = App.CreateClient();
        wrong.DefaultRequestHeaders.Authorization = new("Bearer", MetricsApp.ScrapeToken[..^1] + "x");
        using var refused = await wrong.GetAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("error=\"invalid_token\"", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(MetricsApp.ScrapeToken, await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScrapeToken_OpensNothingButMetrics()
    {
        using var scraper = fixture.CreateScraper(followRedirects: false);

        foreach (var adminSurface in new[] { "/Admin/Tenants", "/hangfire" })
        {
            using var response = await scraper.GetAsync(adminSurface, TestContext.Current.CancellationToken);

            // Treated as anyone signed out: sent to the login page.
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/Identity/Account/Login", response.Headers.Location?.PathAndQuery, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Scrape_WhenTheDatabaseCannotBeRead_LeavesTheLoadGaugesOut_AndStillServes()
    {
        Assert.True((await fixture.ScrapeFreshAsync()).Value("clientflow_outbox_depth") >= 0);
        fixture.DatabaseDown = true;
        PrometheusExposition down;
        try
        {
            down = await fixture.ScrapeFreshAsync();
        }
        finally
        {
            fixture.DatabaseDown = false;
        }

        Assert.DoesNotContain("clientflow_runs_due{", down.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("clientflow_outbox_depth{", down.Text, StringComparison.Ordinal);
        Assert.Equal(4, down.Value("clientflow_systeme_rate_limit_per_second"));
        Assert.True(down.Value("dotnet_process_memory_working_set_bytes") > 0);
        Assert.Contains(fixture.Log.Lines, l => l.Contains("Could not read the load figures", StringComparison.Ordinal) && l.Contains("unable to open database file", StringComparison.Ordinal));

        var back = await fixture.ScrapeFreshAsync();
        Assert.True(back.Value("clientflow_runs_due") >= 0);
    }

    [Fact]
    public async Task CsvImport_CountsItsRowsByOutcome()
    {
        var ib = await App.SeedIbAsync("import@metrics.test", "Import IB", "known@example.com");
        using var scraper = fixture.CreateScraper();
        var before = await PrometheusExposition.ScrapeAsync(scraper);

        Guid importId;
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var csv = "email,name\nfresh-1@example.com,One\nfresh-2@example.com,Two\nknown@example.com,Known\nnot-an-email,Bad\n";
            importId = (await scope.ServiceProvider.GetRequiredService<LeadImports>()
                .StartAsync(ib.TenantId, "leads.csv", Encoding.UTF8.GetBytes(csv), "Signed up on the site", TestContext.Current.CancellationToken)).Id;
        }

        await Eventually.HoldsAsync(
            async () => await App.AsTenantAsync(ib.TenantId, db => db.LeadImports.AnyAsync(i => i.Id == importId && i.Status == LeadImportStatus.Completed, TestContext.Current.CancellationToken)),
            "the import completes");
        var after = await PrometheusExposition.ScrapeAsync(scraper);

        Assert.Equal(2, Delta(before, after, "clientflow_import_rows_total", ("outcome", "imported")));
        Assert.Equal(1, Delta(before, after, "clientflow_import_rows_total", ("outcome", "existing")));
        Assert.Equal(1, Delta(before, after, "clientflow_import_rows_total", ("outcome", "rejected")));
    }

    [Fact]
    public async Task Webhooks_AreCountedAsStoredDuplicateOrRejected()
    {
        using var scraper = fixture.CreateScraper();
        var before = await PrometheusExposition.ScrapeAsync(scraper);
        var messageId = $"metrics-{Guid.NewGuid():N}";

        Assert.Equal(HttpStatusCode.Accepted, await SignedWebhooks.PostAsync(App, MetricsApp.WebhookSecret, "CONTACT_CREATED", messageId, """{"contact":{"id":1,"email":"nobody@example.com"}}"""));
        Assert.Equal(HttpStatusCode.Accepted, await SignedWebhooks.PostAsync(App, MetricsApp.WebhookSecret, "CONTACT_CREATED", messageId, """{"contact":{"id":1,"email":"nobody@example.com"}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, await SignedWebhooks.PostAsync(App, MetricsApp.WebhookSecret, "CONTACT_CREATED", messageId + "-bad", "{not json"));
        var after = await PrometheusExposition.ScrapeAsync(scraper);

        Assert.Equal(1, Delta(before, after, "clientflow_webhooks_received_total", ("source", "systeme_service"), ("outcome", "stored")));
        Assert.Equal(1, Delta(before, after, "clientflow_webhooks_received_total", ("source", "systeme_service"), ("outcome", "duplicate")));
        Assert.Equal(1, Delta(before, after, "clientflow_webhooks_received_total", ("source", "systeme_service"), ("outcome", "rejected")));
    }

    [Fact]
    public async Task Engine_CountsCommittedSteps_AndOutboxAttemptsByKindAndOutcome()
    {
        var ib = await App.SeedIbAsync("engine@metrics.test", "Engine IB");
        var hello = await App.CreateTemplateAsync(ib.TenantId, "Hello", "Hello", "<p>Hello</p>");
        await App.PublishWorkflowAsync(ib.TenantId, "Hello", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new SendEmailStep(hello.Id), new AddTagStep("greeted")]);
        using var scraper = fixture.CreateScraper();
        var before = await PrometheusExposition.ScrapeAsync(scraper);

        await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "engine-lead@example.com" });

        // Two steps, and one email delivered through the outbox (the lead's Systeme.io sync waits offline: no attempt).
        await Eventually.HoldsAsync(
            async () =>
            {
                var now = await PrometheusExposition.ScrapeAsync(scraper);
                return Delta(before, now, "clientflow_engine_steps_total") == 2
                    && Delta(before, now, "clientflow_outbox_attempts_total", ("kind", "email_delivery"), ("outcome", "done")) == 1;
            },
            "the run's two steps and its email delivery are counted");
        var after = await PrometheusExposition.ScrapeAsync(scraper);
        Assert.Equal(0, Delta(before, after, "clientflow_outbox_attempts_total", ("kind", "systeme_lead_sync"), ("outcome", "done")));
    }

    private static double Delta(PrometheusExposition before, PrometheusExposition after, string counter, params (string Label, string Value)[] labels) =>
        after.Counter(counter, labels) - before.Counter(counter, labels);
}
