using ClientFlow.Automation.Conversions;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Web.Hosting;

/// <summary>
/// Development only: an admin and three IBs (John, forex; Sarah, crypto; Mike, CFD) with a few leads
/// each, seeded once; their logins are printed to the console on every Development start.
/// </summary>
public sealed class DemoSeeder(
    ClientFlowDbContext db,
    UserManager<ClientFlowUser> users,
    IbAccounts accounts,
    LeadCapture capture,
    DemoWorkflows demoWorkflows,
    TenantScope tenantScope,
    BrokerConnections brokerConnections,
    TimeProvider clock)
{
    public const string AdminEmail = "admin@clientflow.test";

    /// <summary>The account whose templates and workflows are the Development starter pack.</summary>
    public const string StarterPackEmail = "starter@clientflow.test";

    private static readonly DemoIb[] Ibs =
    [
        new("John", "john@clientflow.test", "John's Forex Academy", "forex-ib",
        [
            new("trader1@example.com", "Alex Morgan", "500+", LeadStatus.Engaged),
            new("trader2@example.com", "Priya Shah", "100-499", LeadStatus.Nurturing),
            new("trader3@example.com", "Tom Becker", "<100", LeadStatus.New),
            new("shared.trader@example.com", "Sam Lee", "100-499", LeadStatus.New),
        ]),
        new("Sarah", "sarah@clientflow.test", "Sarah's Crypto Circle", "crypto-affiliate",
        [
            new("crypto1@example.com", "Mia Chen", "500+", LeadStatus.Converted),
            new("crypto2@example.com", "Leo Rossi", "<100", LeadStatus.Nurturing),
            new("crypto3@example.com", "Ava Novak", "100-499", LeadStatus.New),
            new("shared.trader@example.com", "Sam Lee", "<100", LeadStatus.New),
        ]),
        new("Mike", "mike@clientflow.test", "Mike's CFD Desk", "cfd-partner",
        [
            new("cfd1@example.com", "Noah Weber", "500+", LeadStatus.New),
            new("cfd2@example.com", "Emma Dubois", "100-499", LeadStatus.Engaged),
            new("cfd3@example.com", "Liam Walsh", "<100", LeadStatus.New),
        ]),
    ];

    /// <summary>Each demo IB's demo broker connection, and the referral link its emails would carry.</summary>
    public const string DemoBroker = "Demo Broker";

    public const string DemoReferralLink = "https://broker.example/register?afp={subid}";

    public async Task SeedAsync(DemoOptions options, CancellationToken cancellationToken)
    {
        var banner = new List<string> { "ClientFlow demo logins (Development only):", $"  admin  {AdminEmail,-24} password: {options.Password}" };

        foreach (var ib in Ibs)
        {
            var user = await users.FindByEmailAsync(ib.Email);
            string? newKey = null;
            string? postbackToken;
            if (user is null)
            {
                (user, newKey, postbackToken) = await CreateAsync(ib, options, cancellationToken);
            }
            else
            {
                using (tenantScope.Enter(user.TenantId!.Value))
                {
                    // The connection before the workflows: the seed templates' referral links name it.
                    (var connection, postbackToken, var created) = await SeedBrokerConnectionAsync(ib, options, cancellationToken);
                    if (created)
                    {
                        await SeedFirstDepositsAsync(connection, cancellationToken);
                    }

                    if (!await db.Workflows.AnyAsync(cancellationToken))
                    {
                        // Demos seeded before workflows existed get them too.
                        await demoWorkflows.SeedAsync(ib.Key, cancellationToken);
                    }
                }
            }

            var tenant = await db.Tenants.FindAsync([user.TenantId!.Value], cancellationToken);
            var configuredKey = options.ApiKeys.GetValueOrDefault(ib.Key);
            if (configuredKey is not null && tenant!.ApiKeyHash != ApiKey.Hash(configuredKey))
            {
                // A fixed demo key set after the first seed still takes effect: scripted demos stay repeatable.
                tenant.ApiKeyHash = ApiKey.Hash(configuredKey);
                await db.SaveChangesAsync(cancellationToken);
            }

            var key = configuredKey ?? newKey;
            banner.Add($"  {ib.Key.ToLowerInvariant(),-6} {ib.Email,-24} password: {options.Password}  prefix: {tenant!.TagPrefix}"
                + (key is null ? string.Empty : $"  api key: {key}")
                + (postbackToken is null ? string.Empty : $"  postback token: {postbackToken}"));
        }

        banner.Add($"  starter {StarterPackEmail,-23} password: {options.Password}  (the starter pack every new IB gets a copy of)");
        await SeedStarterPackAsync(options, cancellationToken);

        // The console, not the log: these are demo credentials for the person at the terminal.
        await Console.Out.WriteLineAsync(string.Join(Environment.NewLine, banner).AsMemory(), cancellationToken);
    }

    /// <summary>
    /// Each demo IB's demo broker connection (Cellxpert-style), whose postback token is <c>Demo:PostbackTokens:{key}</c> when
    /// set (a token set after the first seed still takes effect), else generated once. Returns the connection, its token
    /// when it is known, and whether it was created now.
    /// </summary>
    private async Task<(BrokerConnection Connection, string? Token, bool Created)> SeedBrokerConnectionAsync(DemoIb ib, DemoOptions options, CancellationToken cancellationToken)
    {
        var configured = options.PostbackTokens.GetValueOrDefault(ib.Key);
        var existing = await db.BrokerConnections.FirstOrDefaultAsync(cancellationToken);
        if (existing is null)
        {
            var token = configured ?? Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
            return (await brokerConnections.CreateWithTokenAsync(DemoBroker, BrokerPlatform.Cellxpert, DemoReferralLink, token, cancellationToken), token, true);
        }

        if (configured is not null && existing.TokenHash != ApiKey.Hash(configured))
        {
            existing.TokenHash = ApiKey.Hash(configured);
            await db.SaveChangesAsync(cancellationToken);
        }

        return (existing, configured, false);
    }

    /// <summary>The demo's converted leads funded an account: a first deposit of 500 USD reported by the demo broker a day ago.</summary>
    private async Task SeedFirstDepositsAsync(BrokerConnection connection, CancellationToken cancellationToken)
    {
        var at = clock.GetUtcNow().AddDays(-1);
        var converted = await db.Leads.Include(l => l.Tags).Where(l => l.Tags.Any(t => t.Slug == CaptureTags.Converted)).ToListAsync(cancellationToken);
        foreach (var lead in converted)
        {
            db.BrokerEvents.Add(new BrokerEvent
            {
                ConnectionId = connection.Id,
                LeadId = lead.Id,
                SubId = lead.Ref,
                Kind = BrokerEventKind.Ftd,
                Amount = 500m,
                Currency = "USD",
                TxId = $"demo-ftd-{lead.Ref}",
                DedupeKey = $"t:demo-ftd-{lead.Ref}",
                ReceivedAt = at,
            });
            (lead.RegisteredAt, lead.FundedAt, lead.FtdAmount, lead.FtdCurrency) = (at, at, 500m, "USD");
            lead.Tags.Add(new LeadTag { Slug = Postbacks.FundedTag, AddedAt = at });
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// The account that keeps the starter pack (seed: "clone workflows" for each new IB): the seed's Welcome Sequence with
    /// its emails. An admin logs in as it to edit the pack; sign-ups after this get a copy.
    /// </summary>
    private async Task SeedStarterPackAsync(DemoOptions options, CancellationToken cancellationToken)
    {
        if (await users.FindByEmailAsync(StarterPackEmail) is not null)
        {
            return;
        }

        var registration = await accounts.RegisterAsync(StarterPackEmail, options.Password, "ClientFlow Starter Pack", cancellationToken, withStarterPack: false, emailConfirmed: true);
        DatabaseInitializer.ThrowIfFailed(registration.Result, $"seed {StarterPackEmail} (check Demo:Password against the password rules)");
        var pack = await db.Tenants.SingleAsync(t => t.Id == registration.Tenant!.Id, cancellationToken);
        pack.IsStarterPack = !await db.Tenants.AnyAsync(t => t.IsStarterPack, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        using (tenantScope.Enter(pack.Id))
        {
            await demoWorkflows.SeedStarterPackAsync(cancellationToken);
        }
    }

    private async Task<(ClientFlowUser User, string? GeneratedKey, string? PostbackToken)> CreateAsync(DemoIb ib, DemoOptions options, CancellationToken cancellationToken)
    {
        var registration = await accounts.RegisterAsync(ib.Email, options.Password, ib.TenantName, cancellationToken, withStarterPack: false, emailConfirmed: true);
        DatabaseInitializer.ThrowIfFailed(registration.Result, $"seed {ib.Email} (check Demo:Password against the password rules)");
        var user = registration.User!;
        var tenant = registration.Tenant!;
        if (ib.Key == "John")
        {
            // The number his SMS alert texts: a notify step texts only a number its IB confirmed as its own.
            user.PhoneNumber = DemoWorkflows.JohnPhone;
            user.PhoneNumberConfirmed = true;
        }

        // Marketing email carries the sender's postal address; the demo IBs have filled theirs in.
        tenant.PostalAddress = $"{ib.TenantName}, 1 Demo Street, London EC1A 1AA";
        // What each promotes, and the FCA warning that goes with it (a CFD provider's loss percentage is its own figure).
        (tenant.Promotes, tenant.RiskWarning, tenant.RiskWarningPercent) = ib.Key switch
        {
            "Sarah" => (PromotedProduct.Crypto, RiskWarningKind.FcaCrypto, (int?)null),
            "Mike" => (PromotedProduct.Cfd, RiskWarningKind.FcaCfd, 71),
            _ => (PromotedProduct.Forex, RiskWarningKind.FcaCfd, 74),
        };

        var configuredKey = options.ApiKeys.GetValueOrDefault(ib.Key);
        var generatedKey = configuredKey is null ? ApiKey.Generate() : null;
        tenant.ApiKeyHash = ApiKey.Hash(configuredKey ?? generatedKey!);

        await db.SaveChangesAsync(cancellationToken);

        // The broker connection, then the workflows (their emails' referral links name it), so the demo leads are enrolled
        // as a new IB's leads would be.
        BrokerConnection connection;
        string? postbackToken;
        using (tenantScope.Enter(tenant.Id))
        {
            (connection, postbackToken, _) = await SeedBrokerConnectionAsync(ib, options, cancellationToken);
            await demoWorkflows.SeedAsync(ib.Key, cancellationToken);
        }

        // Through the real capture path (tags, email claims, outbox rows), then aged and progressed for the demo.
        var inputs = ib.Leads.Select(l => new LeadInput { Email = l.Email, Name = l.Name, IbType = ib.IbType, MonthlyLeads = l.MonthlyLeads }).ToList();
        var captured = await capture.CaptureValidAsync(tenant.Id, inputs, LeadSource.Manual, syncNow: false, cancellationToken);
        var now = clock.GetUtcNow();
        using (tenantScope.Enter(tenant.Id))
        {
            for (var i = 0; i < captured.Count; i++)
            {
                // Under Capture:Policy=Exclusive the lead another demo IB captured first is refused, as any IB's would be.
                if (captured[i].Lead is not { } lead)
                {
                    continue;
                }

                var seed = ib.Leads[i];
                lead.CreatedAt = now.AddDays(-3 * (ib.Leads.Length - i));
                lead.Status = seed.Status;
                if (seed.Status == LeadStatus.Converted)
                {
                    lead.Tags.Add(new LeadTag { Slug = CaptureTags.Converted, AddedAt = now });
                }
            }

            await db.SaveChangesAsync(cancellationToken);
            await SeedFirstDepositsAsync(connection, cancellationToken);
        }

        return (user, generatedKey, postbackToken);
    }

    private sealed record DemoIb(string Key, string Email, string TenantName, string IbType, DemoLead[] Leads);

    private sealed record DemoLead(string Email, string Name, string MonthlyLeads, LeadStatus Status);
}
