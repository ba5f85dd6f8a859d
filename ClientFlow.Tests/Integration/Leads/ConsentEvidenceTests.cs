using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using ClientFlow.Tests.Infrastructure.Systeme;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using nietras.SeparatedValues;

namespace ClientFlow.Tests.Integration.Leads;

/// <summary>
/// The app behind a known proxy (loopback), with the Systeme.io emulator. In memory a request has no client address, so
/// a startup filter gives each the loopback one a socket from the proxy would have.
/// </summary>
public sealed class ConsentApp : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();

    public SystemeEmulator Emulator { get; private set; } = null!;

    public ClientFlowAppFactory App { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Emulator = await SystemeEmulator.StartAsync();
        App = new ClientFlowAppFactory(_database, settings: new Dictionary<string, string?>
        {
            ["Systeme:BaseUrl"] = Emulator.BaseUrl.ToString(),
            ["Systeme:ApiKey"] = SystemeEmulator.ApiKey,
            ["Systeme:MaxRequestsPerSecond"] = "50",
            ["Outbox:MaxBackoff"] = "00:00:02",
            ["App:KnownProxies"] = "127.0.0.1, ::1",
        }, configureServices: services => services.AddTransient<Microsoft.AspNetCore.Hosting.IStartupFilter, FromLoopback>());
        await App.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Emulator.DisposeAsync();
        await _database.DisposeAsync();
    }

    /// <summary>A client without cookies, as a visitor's browser or an IB's server would be.</summary>
    public HttpClient Http() => App.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    private sealed class FromLoopback : Microsoft.AspNetCore.Hosting.IStartupFilter
    {
        public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
        {
            app.Use(following => context =>
            {
                context.Connection.RemoteIpAddress ??= IPAddress.Loopback;
                return following(context);
            });
            next(app);
        };
    }
}

/// <summary>
/// Each lead keeps how it consented (the form's statement with the time, client address and browser; the API's
/// <c>consent</c> field; the basis an import declared), shown on the lead and exported as JSON and CSV.
/// </summary>
public sealed class ConsentEvidenceTests(ConsentApp fixture) : IClassFixture<ConsentApp>
{
    private ClientFlowAppFactory App => fixture.App;

    [Fact]
    public async Task TheHostedForm_KeepsTheStatementItShowed_WithTheTimeTheForwardedClientAndTheBrowser()
    {
        var ib = await App.SeedIbAsync("form@consent.test", "Form Consent IB");
        using var http = fixture.Http();
        var form = await PageClient.ParseAsync(await http.GetAsync($"/f/{ib.FormKey}", TestContext.Current.CancellationToken));
        var statement = form.QuerySelector("[data-testid=consent-statement]")?.TextContent;
        Assert.Contains("Form Consent IB may email you", statement, StringComparison.Ordinal);

        var before = TimeProvider.System.GetUtcNow();
        using (var sent = await PostFormAsync(http, ib.FormKey, "consenting@example.com"))
        {
            Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        }

        var lead = (await App.LeadsOfAsync(ib.TenantId)).Single();
        Assert.Equal((statement, "203.0.113.7", "ConsentTest/1.0 (X11; Linux)"), (lead.ConsentText, lead.ConsentIp, lead.ConsentUserAgent));
        Assert.InRange(lead.ConsentAt!.Value, before.AddSeconds(-1), TimeProvider.System.GetUtcNow());

        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);
        var page = await client.GetDocumentAsync($"/Leads/{lead.Id}");
        Assert.Equal($"Sent the hosted form, which showed: \"{statement}\"", page.QuerySelector("[data-testid=consent-evidence]")?.TextContent);
        Assert.Equal("203.0.113.7", page.QuerySelector("[data-testid=consent-ip]")?.TextContent);

        using var json = await client.Http.GetAsync($"/Leads/{lead.Id}?handler=Consent&format=json", TestContext.Current.CancellationToken);
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        using var record = JsonDocument.Parse(await json.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Form", record.RootElement.GetProperty("source").GetString());
        Assert.Equal("consenting@example.com", record.RootElement.GetProperty("email").GetString());
        Assert.Equal(statement, record.RootElement.GetProperty("statement").GetString());
        Assert.Equal("203.0.113.7", record.RootElement.GetProperty("ip").GetString());
        Assert.Equal("ConsentTest/1.0 (X11; Linux)", record.RootElement.GetProperty("user_agent").GetString());

        using var csv = await client.Http.GetAsync($"/Leads/{lead.Id}?handler=Consent&format=csv", TestContext.Current.CancellationToken);
        var lines = (await csv.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ReplaceLineEndings("\n").TrimEnd().Split('\n');
        Assert.Equal(string.Join(',', ConsentRecords.CsvColumns), lines[0]);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"{lead.Id},consenting@example.com,Form,", lines[1], StringComparison.Ordinal);
        Assert.Contains(",203.0.113.7,ConsentTest/1.0 (X11; Linux),", lines[1], StringComparison.Ordinal);

        // Another IB's lead has no consent page for this IB.
        var other = await App.SeedIbAsync("other@consent.test", "Other", "theirs@example.com");
        using var foreign = await client.Http.GetAsync($"/Leads/{other.LeadIds[0]}?handler=Consent&format=json", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
    }

    [Fact]
    public async Task TheApi_KeepsTheConsentFieldSent_AndRefusesAnOverlongOneStoringNothing()
    {
        var ib = await App.SeedIbAsync("api@consent.test", "Api Consent IB");
        using (var stated = await App.PostLeadAsync(ib.ApiKey, new { email = "stated@example.com", consent = "Ticked 'email me about trading' on partner-site.example, 2026-11-30" }))
        {
            Assert.Equal(HttpStatusCode.Created, stated.StatusCode);
        }

        using (var silent = await App.PostLeadAsync(ib.ApiKey, new { email = "silent@example.com" }))
        {
            Assert.Equal(HttpStatusCode.Created, silent.StatusCode);
        }

        using (var overlong = await App.PostLeadAsync(ib.ApiKey, new { email = "overlong@example.com", consent = new string('x', LeadInputRules.MaxConsentLength + 1) }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, overlong.StatusCode);
            using var problem = JsonDocument.Parse(await overlong.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("consent", out _));
        }

        var leads = await App.LeadsOfAsync(ib.TenantId);
        Assert.Equal(["silent@example.com", "stated@example.com"], leads.Select(l => l.Email).Order(StringComparer.Ordinal));
        var records = await RecordsAsync(ib.TenantId);
        Assert.Equal("Sent through the API with the consent statement: \"Ticked 'email me about trading' on partner-site.example, 2026-11-30\"", records.Single(r => r.Email == "stated@example.com").Describe());
        Assert.Equal("Sent through the API without a consent statement (the \"consent\" field).", records.Single(r => r.Email == "silent@example.com").Describe());
    }

    [Fact]
    public async Task ACsvImport_MustDeclareItsBasis_WhichEveryLeadItAddsKeeps_AndTheWholeListExports()
    {
        var ib = await App.SeedIbAsync("csv@consent.test", "Csv Consent IB");
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);
        var csv = "email,name\none@example.com,One\ntwo@example.com,\"Two, Jr\"\n";

        using (var undeclared = await UploadAsync(client, csv, basis: " "))
        {
            Assert.Equal(HttpStatusCode.OK, undeclared.StatusCode);
            Assert.Contains("Say how these people agreed", (await PageClient.ParseAsync(undeclared)).QuerySelector("[data-valmsg-for=consentBasis]")?.TextContent, StringComparison.Ordinal);
        }

        Assert.Equal(0, await App.AsTenantAsync(ib.TenantId, db => db.LeadImports.CountAsync(TestContext.Current.CancellationToken)));

        using (var declared = await UploadAsync(client, csv, basis: "Signed up at my 12 March webinar, ticked 'email me'"))
        {
            Assert.Equal(HttpStatusCode.Redirect, declared.StatusCode);
        }

        await Eventually.HoldsAsync(async () => (await App.LeadsOfAsync(ib.TenantId)).Count == 2, "the import adds both rows");
        var records = await RecordsAsync(ib.TenantId);
        Assert.All(records, r => Assert.Equal("Imported from consent.csv; the IB declared: \"Signed up at my 12 March webinar, ticked 'email me'\"", r.Describe()));

        // The whole list, as CSV (read back with the same library) and as a JSON array.
        using var all = await client.Http.GetAsync("/Leads?handler=Consent&format=csv", TestContext.Current.CancellationToken);
        Assert.Equal("text/csv", all.Content.Headers.ContentType?.MediaType);
        using (var reader = Sep.Reader(o => o with { Unescape = true }).FromText((await all.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))))
        {
            var rows = reader.Enumerate(row => (Email: row["email"].ToString(), Basis: row["declared_basis"].ToString(), File: row["import_file"].ToString())).ToList();
            Assert.Equal(["one@example.com", "two@example.com"], rows.Select(r => r.Email).Order(StringComparer.Ordinal));
            Assert.All(rows, r => Assert.Equal(("Signed up at my 12 March webinar, ticked 'email me'", "consent.csv"), (r.Basis, r.File)));
        }

        using var allJson = await client.Http.GetAsync("/Leads?handler=Consent&format=json", TestContext.Current.CancellationToken);
        using var array = JsonDocument.Parse(await allJson.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(2, array.RootElement.GetArrayLength());
        Assert.All(array.RootElement.EnumerateArray(), e => Assert.Equal("Import", e.GetProperty("source").GetString()));
    }

    [Fact]
    public async Task AnErasedLead_LeavesNothingButAHash_ItsPrefixedTagsComeOffSysteme_AndOnlyThePersonsOwnFormBringsItBack()
    {
        const string person = "forget-me@example.com";
        var ib = await App.SeedIbAsync("erase@consent.test", "Erase IB");
        var neighbour = await App.SeedIbAsync("keep@consent.test", "Neighbour IB");
        var template = await App.CreateTemplateAsync(ib.TenantId, "Welcome", "Welcome", "<p>Hello</p>");
        await App.PublishWorkflowAsync(ib.TenantId, "Welcome", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new SendEmailStep(template.Id)]);
        using (var captured = await App.PostLeadAsync(ib.ApiKey, new { email = person, name = "Forget Me", ib_type = "forex-ib" }))
        {
            Assert.Equal(HttpStatusCode.Created, captured.StatusCode);
        }

        using (var theirs = await App.PostLeadAsync(neighbour.ApiKey, new { email = person, ib_type = "crypto-affiliate" }))
        {
            Assert.Equal(HttpStatusCode.Created, theirs.StatusCode);
        }

        var leadId = (await App.LeadsOfAsync(ib.TenantId)).Single().Id;
        await Eventually.HoldsAsync(
            async () => (await App.LeadsOfAsync(ib.TenantId)).Single().SyncState == LeadSyncState.Synced
                && (await App.MessagesOfAsync(ib.TenantId)).Any(m => m.LeadId == leadId && m.Status == EmailStatus.Sent),
            "the lead is synced and emailed");
        await Eventually.HoldsAsync(
            () => Task.FromResult(fixture.Emulator.ContactByEmail(person) is { } c && fixture.Emulator.TagNamesOf(c).Any(t => t.StartsWith(neighbour.TagPrefix, StringComparison.Ordinal))),
            "the neighbour's tags are on the same contact");

        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);

        // This IB cannot erase another IB's lead: 404, and nothing changes.
        var neighboursLead = (await App.LeadsOfAsync(neighbour.TenantId)).Single().Id;
        using (var refused = await client.SubmitFormAsync($"/Leads/{leadId}", new Dictionary<string, string>(), "form[data-testid=erase-form]", $"/Leads/{neighboursLead}?handler=Erase"))
        {
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        }

        Assert.Single(await App.LeadsOfAsync(neighbour.TenantId));

        using (var erased = await client.SubmitFormAsync($"/Leads/{leadId}", new Dictionary<string, string>(), "form[data-testid=erase-form]"))
        {
            Assert.Equal(HttpStatusCode.Redirect, erased.StatusCode);
        }

        Assert.Empty(await App.LeadsOfAsync(ib.TenantId));
        Assert.Empty(await App.MessagesOfAsync(ib.TenantId));
        Assert.Empty(await App.RunsOfAsync(ib.TenantId));
        await App.AsTenantAsync(ib.TenantId, async db =>
        {
            Assert.False(await db.OutboundOperations.AnyAsync(o => o.LeadId == leadId, TestContext.Current.CancellationToken));
            Assert.Equal(Suppressions.HashOf(person), (await db.ErasedAddresses.SingleAsync(TestContext.Current.CancellationToken)).AddressHash);
            Assert.Equal($"lead {leadId}", (await db.AuditEntries.SingleAsync(a => a.Action == LeadErasure.AuditAction && a.TenantId == ib.TenantId, TestContext.Current.CancellationToken)).Detail);
            return 0;
        });

        // At Systeme.io: this IB's prefixed tags come off; the contact and the neighbour's tags stay.
        await Eventually.HoldsAsync(
            () => Task.FromResult(!fixture.Emulator.TagNamesOf(fixture.Emulator.ContactByEmail(person)!).Any(t => t.StartsWith(ib.TagPrefix, StringComparison.Ordinal))),
            "the erased IB's tags come off the contact");
        Assert.Contains(fixture.Emulator.TagNamesOf(fixture.Emulator.ContactByEmail(person)!), t => t.StartsWith(neighbour.TagPrefix, StringComparison.Ordinal));
        Assert.Single(await App.LeadsOfAsync(neighbour.TenantId));

        // An API call or a list does not bring the person back; their own form does, and clears the erasure.
        using (var again = await App.PostLeadAsync(ib.ApiKey, new { email = person }))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Contains("erased", await again.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.OrdinalIgnoreCase);
        }

        Assert.Empty(await App.LeadsOfAsync(ib.TenantId));
        using var http = fixture.Http();
        using (var returned = await PostFormAsync(http, ib.FormKey, person))
        {
            Assert.Equal(HttpStatusCode.Redirect, returned.StatusCode);
        }

        Assert.Equal(LeadSource.Form, (await App.LeadsOfAsync(ib.TenantId)).Single().Source);
        Assert.False(await App.AsTenantAsync(ib.TenantId, db => db.ErasedAddresses.AnyAsync(TestContext.Current.CancellationToken)));
    }

    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient http, string formKey, string email)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/f/{formKey}")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Name"] = "Consenting Person" }),
        };
        request.Headers.TryAddWithoutValidation("User-Agent", "ConsentTest/1.0 (X11; Linux)");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        return await http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static async Task<HttpResponseMessage> UploadAsync(PageClient client, string csv, string basis)
    {
        var page = await client.GetDocumentAsync("/Leads");
        var token = page.QuerySelector("form[action*='Import'] input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        using var content = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)), "file", "consent.csv" },
            { new StringContent(basis), "consentBasis" },
        };
        return await client.Http.PostAsync("/Leads?handler=Import", content, TestContext.Current.CancellationToken);
    }

    private async Task<IReadOnlyList<ConsentRecord>> RecordsAsync(Guid tenantId)
    {
        await using var scope = App.Services.CreateAsyncScope();
        using (scope.ServiceProvider.GetRequiredService<Automation.Tenancy.TenantScope>().Enter(tenantId))
        {
            var records = new List<ConsentRecord>();
            await foreach (var page in scope.ServiceProvider.GetRequiredService<ConsentRecords>().AllAsync(TestContext.Current.CancellationToken))
            {
                records.AddRange(page);
            }

            return records;
        }
    }
}
