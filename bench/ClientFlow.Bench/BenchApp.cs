using ClientFlow.Automation.Data;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Automation.Workflows;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Bench;

/// <summary>
/// The real app (ClientFlow.Web's Program) on Kestrel and a fresh SQLite file, with in-memory Hangfire, as
/// <c>dotnet run --project ClientFlow.Web</c> runs it, minus the demo seed and with logging at Warning so the
/// console does not become the bottleneck. The capture API's per-IB limit is lifted so it does not cap the figure.
/// </summary>
public sealed class BenchApp : WebApplicationFactory<Program>
{
    public const string WebhookSecret = "bench-webhook-secret";
    public const string Password = "Bench!Passw0rd";

    private readonly string _folder = Directory.CreateTempSubdirectory("clientflow-bench-").FullName;
    private readonly BenchPostgres? _postgres;

    private BenchApp(BenchPostgres? postgres) => _postgres = postgres;

    public Uri BaseAddress => ClientOptions.BaseAddress;

    /// <summary>The app on a fresh SQLite file, or on a fresh PostgreSQL database (app role under RLS) when one is given.</summary>
    public static BenchApp Start(BenchPostgres? postgres)
    {
        var app = new BenchApp(postgres);
        app.UseKestrel(0);
        app.StartServer();
        return app;
    }

    /// <summary>A client with its own connection pool, one connection per concurrent caller.</summary>
    public HttpClient LoadClient(int connections) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = TimeSpan.FromMinutes(10) }) { BaseAddress = BaseAddress };

    /// <summary>Signs up an IB the way the product does, with an API key; returns its tenant, prefix and key.</summary>
    public async Task<(Guid TenantId, string TagPrefix, string ApiKey)> SignUpAsync(string email, CancellationToken cancellationToken)
    {
        await using var scope = Services.CreateAsyncScope();
        var registration = await scope.ServiceProvider.GetRequiredService<IbAccounts>().RegisterAsync(email, Password, email, cancellationToken, emailConfirmed: true);
        if (!registration.Succeeded)
        {
            throw new InvalidOperationException($"Sign-up failed: {string.Join("; ", registration.Result.Errors.Select(e => e.Description))}");
        }

        var key = Automation.Tenancy.ApiKey.Generate();
        var db = scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>();
        await db.Tenants.Where(t => t.Id == registration.Tenant!.Id)
            .ExecuteUpdateAsync(
                s => s.SetProperty(t => t.ApiKeyHash, Automation.Tenancy.ApiKey.Hash(key)).SetProperty(t => t.MaxLeads, 10_000_000).SetProperty(t => t.PostalAddress, "1 Bench Street, London")
                    .SetProperty(t => t.Promotes, Automation.Tenancy.PromotedProduct.Forex).SetProperty(t => t.RiskWarning, Automation.Tenancy.RiskWarningKind.FcaCfd).SetProperty(t => t.RiskWarningPercent, 74),
                cancellationToken);
        return (registration.Tenant!.Id, registration.Tenant.TagPrefix, key);
    }

    /// <summary>Creates, publishes and turns ON a workflow, as the editor does.</summary>
    public async Task PublishAsync(Guid tenantId, string name, WorkflowTrigger trigger, IReadOnlyList<WorkflowStep> steps, CancellationToken cancellationToken)
    {
        await using var scope = Services.CreateAsyncScope();
        using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(tenantId))
        {
            var editor = scope.ServiceProvider.GetRequiredService<WorkflowEditor>();
            var (workflow, error) = await editor.CreateAsync(name, new WorkflowDefinition(trigger, steps), cancellationToken);
            if (error is not null || (await editor.PublishAsync(workflow!, cancellationToken)).Count > 0 || await editor.SetOnAsync(workflow!, on: true, cancellationToken) is not null)
            {
                throw new InvalidOperationException($"Could not publish {name}: {error}");
            }
        }
    }

    /// <summary>A client signed in through the Identity login form, with its cookies, as a browser is.</summary>
    public async Task<HttpClient> SignedInClientAsync(string email, CancellationToken cancellationToken)
    {
        var client = new HttpClient(new SocketsHttpHandler { UseCookies = true, CookieContainer = new System.Net.CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = BaseAddress };
        var form = await client.GetStringAsync("/Identity/Account/Login", cancellationToken);
        var token = System.Text.RegularExpressions.Regex.Match(form, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        using var login = await client.PostAsync("/Identity/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = Password,
            ["__RequestVerificationToken"] = token,
        }), cancellationToken);
        if (login.StatusCode != System.Net.HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Login of {email} answered {(int)login.StatusCode}.");
        }

        return client;
    }

    /// <summary>The seed notes' templates and workflows of one demo IB (John, Sarah or Mike), published and ON.</summary>
    public async Task SeedDemoWorkflowsAsync(Guid tenantId, string demoIb, CancellationToken cancellationToken)
    {
        await using var scope = Services.CreateAsyncScope();
        if (demoIb == "John")
        {
            // John's SMS alert texts his own number, which a notify step may only do once the IB confirmed it (the demo does).
            await scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>().Users.Where(u => u.TenantId == tenantId)
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.PhoneNumber, Web.Hosting.DemoWorkflows.JohnPhone).SetProperty(u => u.PhoneNumberConfirmed, true), cancellationToken);
        }

        using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(tenantId))
        {
            // The seed emails' "open your account" is a referral link to the demo's broker connection, as in the demo.
            await scope.ServiceProvider.GetRequiredService<Automation.Conversions.BrokerConnections>()
                .CreateAsync(Web.Hosting.DemoSeeder.DemoBroker, Automation.Conversions.BrokerPlatform.Cellxpert, Web.Hosting.DemoSeeder.DemoReferralLink, null, cancellationToken);
            await scope.ServiceProvider.GetRequiredService<Web.Hosting.DemoWorkflows>().SeedAsync(demoIb, cancellationToken);
        }
    }

    /// <summary>Turns one of the IB's workflows, by name, ON or OFF as its page does.</summary>
    public async Task SetWorkflowOnAsync(Guid tenantId, string name, bool on, CancellationToken cancellationToken)
    {
        await using var scope = Services.CreateAsyncScope();
        using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(tenantId))
        {
            var editor = scope.ServiceProvider.GetRequiredService<Automation.Workflows.WorkflowEditor>();
            var workflow = (await editor.ListAsync(cancellationToken)).Single(w => w.Name == name);
            if (await editor.SetOnAsync((await editor.FindAsync(workflow.Id, cancellationToken))!, on, cancellationToken) is { } refusal)
            {
                throw new InvalidOperationException(refusal);
            }
        }
    }

    /// <summary>Starts a CSV import as the /Leads upload does once it has the file; returns the import's id.</summary>
    public async Task<Guid> StartImportAsync(Guid tenantId, string fileName, byte[] content, CancellationToken cancellationToken)
    {
        await using var scope = Services.CreateAsyncScope();
        var import = await scope.ServiceProvider.GetRequiredService<Automation.Leads.Import.LeadImports>().StartAsync(tenantId, fileName, content, "Bench: signed up on the IB's site", cancellationToken);
        return import.Id;
    }

    /// <summary>Templates as the editor saves them, each with an HTML body of about 20 KiB.</summary>
    public async Task CreateTemplatesAsync(Guid tenantId, int count, CancellationToken cancellationToken)
    {
        var body = string.Concat(Enumerable.Repeat("<p>Hello {{ first_name }}, here is what our desk saw in the markets this week.</p>\n", 250));
        await using var scope = Services.CreateAsyncScope();
        using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(tenantId))
        {
            for (var i = 0; i < count; i++)
            {
                var saved = await scope.ServiceProvider.GetRequiredService<Automation.Templates.EmailTemplates>()
                    .SaveAsync(null, new Automation.Templates.TemplateInput($"Newsletter {i}", $"Newsletter {i}", body, null), cancellationToken);
                if (saved?.Succeeded != true)
                {
                    throw new InvalidOperationException($"Could not save template {i}: {string.Join("; ", saved?.Errors ?? [])}");
                }
            }
        }
    }

    /// <summary>Leads through the one capture path, in batches, as an import does.</summary>
    public async Task CaptureManyAsync(Guid tenantId, IEnumerable<string> emails, CancellationToken cancellationToken)
    {
        foreach (var chunk in emails.Chunk(500))
        {
            await using var scope = Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<LeadCapture>()
                .CaptureValidAsync(tenantId, [.. chunk.Select(e => new LeadInput { Email = e })], LeadSource.Import, syncNow: true, cancellationToken);
        }
    }

    public async Task<T> AsTenantAsync<T>(Guid tenantId, Func<ClientFlowDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(tenantId))
        {
            return await query(scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>());
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Benchmark");
        if (_postgres is null)
        {
            builder.UseSetting("Database:Provider", "Sqlite");
            builder.UseSetting("ConnectionStrings:Sqlite", $"Data Source={Path.Combine(_folder, "bench.db")}");
        }
        else
        {
            builder.UseSetting("Database:Provider", "Postgres");
            builder.UseSetting("ConnectionStrings:Postgres", _postgres.AppConnectionString);
            builder.UseSetting("ConnectionStrings:PostgresMigrations", _postgres.OwnerConnectionString);
        }

        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, SignedNoOp>());
        builder.UseSetting("Systeme:WebhookSecret", WebhookSecret);
        builder.UseSetting("Capture:ApiRequestsPerMinute", "1000000");
        builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
        builder.UseSetting("Serilog:MinimumLevel:Override:Hangfire", "Warning");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // The OS temp cleaner gets it.
        }
    }
}
