using ClientFlow.Automation.Data;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Tenancy;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Infrastructure;

/// <summary>The real app (Program.cs) on a test database, in the given environment.</summary>
public sealed class ClientFlowAppFactory(
    TestDatabase database,
    string environment = "Testing",
    IReadOnlyDictionary<string, string?>? settings = null,
    Action<IServiceCollection>? configureServices = null) : WebApplicationFactory<Program>
{
    public const string Password = "Test!Passw0rd";
    public const string AdminEmail = "root@clientflow.test";
    public const string PostalAddress = "1 Test Street, Testville";

    /// <summary>The loss percentage in every seeded IB's FCA CFD warning.</summary>
    public const int RiskWarningPercent = 76;

    public TestDatabase Database => database;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);

        // The build's static files (wwwroot, the precompressed variants and the scoped CSS bundle) as `dotnet run`
        // serves them in Development; outside Development the host would look for them in a publish folder, and a
        // browser asking for gzip got a 404 for every script and stylesheet.
        builder.UseStaticWebAssets();
        builder.UseSetting("Admin:Email", AdminEmail);
        builder.UseSetting("Admin:Password", Password);

        // No recurring Systeme.io reconcile firing at a quarter-hour mid-test; the tests that want it say so.
        builder.UseSetting("Systeme:ReconcileMinutes", "0");
        foreach (var (key, value) in database.AppSettings.Concat(settings ?? new Dictionary<string, string?>()))
        {
            builder.UseSetting(key, value);
        }

        if (configureServices is not null)
        {
            builder.ConfigureTestServices(configureServices);
        }
    }

    /// <summary>Starts the host and proves it runs on this test's database, not on a default from appsettings.json.</summary>
    public async Task StartAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>();
        var expected = database.Provider == DatabaseProvider.Postgres ? "Npgsql.EntityFrameworkCore.PostgreSQL" : "Microsoft.EntityFrameworkCore.Sqlite";
        Assert.Equal(expected, db.Database.ProviderName);
        // On PostgreSQL the app adds statement preparation to the string it is given (PostgresAutoPrepare).
        var connectionString = database.Provider == DatabaseProvider.Postgres ? PostgresAutoPrepare.Apply(database.ConnectionString) : database.ConnectionString;
        Assert.Equal(connectionString, db.Database.GetConnectionString());
    }

    public PageClient CreatePageClient() =>
        new(CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));

    /// <summary>Signs up an IB the way the product does and gives it leads with the given emails.</summary>
    public async Task<SeededIb> SeedIbAsync(string email, string name, params string[] leadEmails)
    {
        await using var scope = Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var registration = await services.GetRequiredService<IbAccounts>()
            .RegisterAsync(email, Password, name, TestContext.Current.CancellationToken, emailConfirmed: true);
        Assert.True(registration.Succeeded, string.Join("; ", registration.Result.Errors.Select(e => e.Description)));

        var tenant = registration.Tenant!;
        var apiKey = ApiKey.Generate();
        tenant.ApiKeyHash = ApiKey.Hash(apiKey);
        // As an IB that has filled in Settings: marketing email carries the sender's postal address.
        tenant.PostalAddress = PostalAddress;
        // A forex IB with the FCA's CFD warning, as most ClientFlow IBs are.
        tenant.Promotes = PromotedProduct.Forex;
        tenant.RiskWarning = RiskWarningKind.FcaCfd;
        tenant.RiskWarningPercent = RiskWarningPercent;
        var db = services.GetRequiredService<ClientFlowDbContext>();
        using (services.GetRequiredService<TenantScope>().Enter(tenant.Id))
        {
            var leads = leadEmails.Select(e => new Lead { Email = e, Name = $"{name} lead", CreatedAt = DateTimeOffset.UnixEpoch }).ToList();
            db.Leads.AddRange(leads);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            return new SeededIb(email, tenant.Id, tenant.TagPrefix, leads.Select(l => l.Id).ToList(), apiKey, tenant.FormKey);
        }
    }
}

public sealed record SeededIb(string Email, Guid TenantId, string TagPrefix, IReadOnlyList<Guid> LeadIds, string ApiKey, string FormKey);
