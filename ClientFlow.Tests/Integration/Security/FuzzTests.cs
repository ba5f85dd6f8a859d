using System.Globalization;
using System.Net;
using System.Text;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Webhooks;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Security;

public sealed class FuzzApp : SqliteApp
{
    public const string Secret = "whsec-fuzz-secret";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Systeme:WebhookSecret"] = Secret,
        ["Email:EventsSecret"] = Secret,
        // The fuzz is one client sending fast: the allowances are tested elsewhere.
        ["Capture:FormSubmissionsPerMinute"] = "10000",
        ["Capture:ApiRequestsPerMinute"] = "100000",
    };
}

/// <summary>
/// At least 1,000 malformed inputs, generated from a fixed seed, against everything a stranger can post to: the
/// capture API, the hosted form, the signed Systeme.io webhook (bad signatures, and well-signed bodies of every wrong
/// shape), an IB's workflow webhook, the SMTP provider's signed bounce and complaint intake, and a broker postback URL. None may answer 5xx, and nothing is half-stored: every lead stored is one a
/// request was answered "created" for, complete and valid, and every event stored reaches a final state.
/// </summary>
public sealed class FuzzTests(FuzzApp fixture) : IClassFixture<FuzzApp>
{
    private const int PerTarget = 260;

    private static readonly string[] Junk =
    [
        "", " ", "null", "true", "0", "-1", "1e309", "[]", "{}", "\"\"", "[[[[", "{\"", "\u0000", "\u202e\u0631", "😀", "%00", "<script>alert(1)</script>",
        "'; DROP TABLE \"Leads\"; --", "{{ 7*7 }}", "../../etc/passwd", "a@b", "@example.com", "x@y.z\r\nBcc: victim@example.com", new string('a', 70_000),
    ];

    private ClientFlowAppFactory App => fixture.App;

    [Fact]
    public async Task MalformedInputs_NeverAnswer5xx_AndLeaveNothingHalfStored()
    {
        var random = new Random(20261130);
        var ib = await App.SeedIbAsync("fuzz@security.test", "Fuzz IB");
        var token = await App.IssueWebhookTokenAsync(ib.TenantId);
        var postbackToken = await ConnectBrokerAsync(ib.TenantId);
        var postbackRandom = new Random(17); // its own sequence: the other targets' inputs stay as they were
        using var client = App.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var failures = new List<string>();
        var createdByApi = new HashSet<Guid>();
        var createdByForm = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var statuses = new Dictionary<int, int>();
        var sent = 0;

        async Task SendAsync(string target, HttpRequestMessage request, string? email)
        {
            using (request)
            using (var response = await client.SendAsync(request, TestContext.Current.CancellationToken))
            {
                sent++;
                var status = (int)response.StatusCode;
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                if (status >= 500)
                {
                    failures.Add($"{target} {status}: {Describe(request)}");
                }

                if (target == "api" && response.StatusCode == HttpStatusCode.Created)
                {
                    // The API names the lead it created (Location: /Leads/{id}).
                    createdByApi.Add(Guid.Parse(response.Headers.Location!.OriginalString.Split('/')[^1]));
                }
                else if (target == "form" && email is not null && response.StatusCode == HttpStatusCode.Redirect
                    && response.Headers.Location?.OriginalString.EndsWith("/thanks", StringComparison.Ordinal) == true)
                {
                    createdByForm.Add(email.Trim());
                }
            }
        }

        for (var i = 0; i < PerTarget; i++)
        {
            var (apiBody, contentType) = ApiInput(random, i);
            var api = new HttpRequestMessage(HttpMethod.Post, "/api/v1/leads") { Content = new StringContent(apiBody, Encoding.UTF8) };
            api.Content.Headers.ContentType = new(contentType);
            api.Headers.TryAddWithoutValidation("X-Api-Key", random.Next(10) == 0 ? HeaderJunk(random, 40) : ib.ApiKey);
            await SendAsync("api", api, null);

            var (formFields, formEmail) = FormInput(random, i);
            var form = new HttpRequestMessage(HttpMethod.Post, random.Next(20) == 0 ? $"/f/{Pick(random, ["nope", "..", "%2e%2e", "a%2Fb", new string('k', 3000), ib.FormKey.ToUpperInvariant()])}" : $"/f/{ib.FormKey}")
            {
                Content = random.Next(15) == 0 ? new StringContent(apiBody, Encoding.UTF8, "application/json") : new FormUrlEncodedContent(formFields),
            };
            await SendAsync("form", form, formFields.Any(f => f.Key == "Input.Website" && f.Value.Length > 0) ? null : formEmail);

            var (eventType, webhookBody) = WebhookInput(random);
            var signed = SignedWebhooks.Request(random.Next(5) == 0 ? "wrong-secret" : FuzzApp.Secret, eventType, random.Next(8) == 0 ? string.Empty : $"fuzz-{i}", webhookBody);
            if (random.Next(10) == 0)
            {
                signed.Headers.Remove("X-Webhook-Signature");
                signed.Headers.TryAddWithoutValidation("X-Webhook-Signature", HeaderJunk(random, 80));
            }

            await SendAsync("systeme", signed, null);

            var query = random.Next(3) switch
            {
                0 => $"?event={Uri.EscapeDataString(Short(random, 200))}",
                1 => $"?event=opened&template={Uri.EscapeDataString(Short(random, 200))}",
                _ => string.Empty,
            };
            var hookToken = random.Next(6) == 0 ? "not-a-token" : token;
            var workflowHook = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/systeme/t/{hookToken}{query}")
            {
                Content = new StringContent(WebhookInput(random).Body, Encoding.UTF8, random.Next(6) == 0 ? "text/plain" : "application/json"),
            };
            await SendAsync("workflow-hook", workflowHook, null);

            if (i % 2 == 0)
            {
                // The SMTP provider's bounce and complaint intake: odd shapes, signed and not.
                var (_, eventBody) = WebhookInput(random);
                var emailEvent = SignedWebhooks.Request(random.Next(4) == 0 ? "wrong-secret" : FuzzApp.Secret, "x", "x", random.Next(3) == 0
                    ? $"[{{\"type\":{Json(Pick(random, ["bounce", "complaint", "", "BOUNCE"]))},\"email\":{Json(Pick(random, Junk))},\"bounce_type\":{Json(Pick(random, Junk))}}}]"
                    : eventBody);
                emailEvent.RequestUri = new Uri("/webhooks/email-events", UriKind.Relative);
                await SendAsync("email-events", emailEvent, null);
            }
        }

        // Postbacks last, so half their sub-ids can be the refs of the leads the inputs above created.
        var refs = (await App.LeadsOfAsync(ib.TenantId)).Select(l => l.Ref).ToArray();
        for (var i = 0; i < PerTarget; i++)
        {
            await SendAsync("postback", PostbackInput(postbackRandom, postbackToken, refs), null);
        }

        Assert.True(sent >= 1000, $"{sent} inputs");
        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} inputs answered 5xx:\n{string.Join("\n", failures.Take(10))}");

        // Every lead stored was answered "created" (the API names it; the form's visitor was thanked for its address),
        // and is whole: a valid address, its sync queued.
        var leads = await App.LeadsOfAsync(ib.TenantId);
        Assert.Subset(leads.Select(l => l.Id).ToHashSet(), createdByApi);
        Assert.Equal(
            createdByForm.Order(StringComparer.OrdinalIgnoreCase),
            leads.Where(l => !createdByApi.Contains(l.Id)).Select(l => l.Email).Order(StringComparer.OrdinalIgnoreCase),
            StringComparer.OrdinalIgnoreCase);
        Assert.All(leads, lead => Assert.True(LeadInputRules.IsEmail(lead.Email), $"stored lead {lead.Email}"));
        var syncs = await App.AsTenantAsync(ib.TenantId, db => db.OutboundOperations.Where(o => o.LeadId != null).Select(o => o.LeadId!.Value).Distinct().CountAsync(TestContext.Current.CancellationToken));
        Assert.Equal(leads.Count, syncs);

        // Every event stored is settled: processed, ignored, rejected or dead-lettered, none left half-way.
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(60);
        List<string> unsettled;
        do
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
            await using var scope = App.Services.CreateAsyncScope();
            unsettled = await scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>().InboundEvents
                .Where(e => e.Status == InboundStatus.Pending || e.Status == InboundStatus.Processing)
                .Select(e => $"{e.Status} x{e.Attempts} {e.Source} {e.EventType}: {e.Outcome} | {e.Body}")
                .ToListAsync(TestContext.Current.CancellationToken);
        }
        while (unsettled.Count > 0 && TimeProvider.System.GetUtcNow() < deadline);

        Assert.True(unsettled.Count == 0, $"{unsettled.Count} events not settled:\n{string.Join("\n", unsettled.Take(5).Select(u => u[..Math.Min(300, u.Length)]))}");

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{sent} inputs, {failures.Count} answered 5xx, {leads.Count} leads stored ({createdByApi.Count} by the API); statuses: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} x{s.Value}"))}");
    }

    /// <summary>A broker connection of the IB (Affise, so its own names are in play too); returns its postback token.</summary>
    private async Task<string> ConnectBrokerAsync(Guid tenantId)
    {
        await using var scope = App.Services.CreateAsyncScope();
        using (scope.ServiceProvider.GetRequiredService<Automation.Tenancy.TenantScope>().Enter(tenantId))
        {
            var (_, token) = await scope.ServiceProvider.GetRequiredService<Automation.Conversions.BrokerConnections>()
                .CreateAsync("Fuzz broker", Automation.Conversions.BrokerPlatform.Affise, "https://broker.example/?sub1={subid}", null, TestContext.Current.CancellationToken);
            return token;
        }
    }

    /// <summary>
    /// A postback: GET or POST, the right token or junk, canonical and platform names with junk, missing and repeated
    /// values, bodies as forms, JSON of every shape, or neither.
    /// </summary>
    private static HttpRequestMessage PostbackInput(Random random, string token, string[] refs)
    {
        string[] names = ["subid", "event", "amount", "currency", "txid", "uid", "sub1", "transactionid", "sum", "status", "goal", "x", ""];
        string[] events = ["ftd", "registration", "deposit", "qualified", "reversal", "FTD", "first_deposit", "bogus", ""];
        var fields = new List<KeyValuePair<string, string>>();
        for (var n = random.Next(8); n > 0; n--)
        {
            var name = Pick(random, names);
            var value = name switch
            {
                "event" when random.Next(2) == 0 => Pick(random, events),
                "amount" or "sum" when random.Next(2) == 0 => Pick(random, ["250", "-1", "1e30", "12,50", "NaN", "0.001", "99999999999999999999"]),
                "status" => Pick(random, ["1", "2", "3", "5", "x"]),
                "subid" or "sub1" when refs.Length > 0 && random.Next(2) == 0 => Pick(random, refs),
                _ => random.Next(3) == 0 ? Short(random, 120) : Pick(random, Junk),
            };
            fields.Add(new(random.Next(12) == 0 ? Short(random, 150) : name, value));
        }

        var path = $"/postbacks/{(random.Next(10) == 0 ? Pick(random, ["nope", "%2e%2e", new string('t', 500), token.ToUpperInvariant()]) : token)}";
        var query = string.Join('&', fields.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value.Length > 4000 ? f.Value[..4000] : f.Value)}"));
        if (random.Next(2) == 0)
        {
            return new HttpRequestMessage(HttpMethod.Get, $"{path}?{query}");
        }

        HttpContent content = random.Next(4) switch
        {
            0 => new FormUrlEncodedContent(fields),
            1 => new StringContent($"{{{string.Join(',', fields.Select(f => $"{Json(f.Key)}:{Json(f.Value)}"))}}}", Encoding.UTF8, "application/json"),
            2 => new StringContent(Pick(random, ["[1,2]", "{\"a\":{\"b\":1}}", "{\"subid\":null}", "not json", "{", new string('[', 3000)]), Encoding.UTF8, "application/json"),
            _ => new StringContent(Pick(random, Junk), Encoding.UTF8, Pick(random, ["text/plain", "application/x-www-form-urlencoded", "application/octet-stream"])),
        };
        return new HttpRequestMessage(HttpMethod.Post, random.Next(3) == 0 ? $"{path}?{query}" : path) { Content = content };
    }

    /// <summary>A capture API body: a valid one mutated (truncated, a byte changed, a field of the wrong type or size), and its content type.</summary>
    private static (string Body, string ContentType) ApiInput(Random random, int i)
    {
        var email = $"api{i}-{random.Next(1000)}@example.com";
        var fields = new Dictionary<string, string>
        {
            ["email"] = Json(email),
            ["name"] = Json("Alex Morgan"),
            ["ib_type"] = Json("forex-ib"),
            ["monthly_leads"] = Json("500+"),
        };
        switch (random.Next(8))
        {
            case 0:
                fields[Pick(random, [.. fields.Keys])] = Pick(random, ["123", "[]", "{}", "null", "true", "[\"a\"]", "{\"a\":1}"]);
                break;
            case 1:
                var key = Pick(random, [.. fields.Keys]);
                fields[key] = Json(Pick(random, Junk));
                break;
            case 2:
                fields[Pick(random, ["extra", "__proto__", "constructor", "email\u0000", "EMAIL"])] = Json(Pick(random, Junk));
                break;
            case 3:
                fields.Remove(Pick(random, [.. fields.Keys]));
                break;
        }

        var body = "{" + string.Join(",", fields.Select(f => $"{Json(f.Key)}:{f.Value}")) + "}";
        switch (random.Next(6))
        {
            case 0:
                body = body[..random.Next(body.Length)];
                break;
            case 1:
                var chars = body.ToCharArray();
                chars[random.Next(chars.Length)] = (char)random.Next(0, 0x3000);
                body = new string(chars);
                break;
            case 2:
                body = string.Concat(Enumerable.Repeat("[", random.Next(1, 2000))) + body;
                break;
        }

        var contentType = random.Next(12) switch { 0 => "text/plain", 1 => "application/x-www-form-urlencoded", 2 => "application/xml", _ => "application/json" };
        return (body, contentType);
    }

    /// <summary>Hosted-form fields: the usual ones, some missing, too long, of the wrong kind or full of control characters.</summary>
    private static (List<KeyValuePair<string, string>> Fields, string Email) FormInput(Random random, int i)
    {
        var email = random.Next(4) == 0 ? Pick(random, Junk) : $"form{i}-{random.Next(1000)}@example.com";
        var fields = new List<KeyValuePair<string, string>>
        {
            new("Input.Name", random.Next(5) == 0 ? Pick(random, Junk) : "Visitor"),
            new("Input.Email", email),
            new("Input.Phone", random.Next(5) == 0 ? Pick(random, Junk) : "+1 555 0100"),
            new("Input.IbType", random.Next(4) == 0 ? Pick(random, Junk) : "forex-ib"),
            new("Input.MonthlyLeads", random.Next(4) == 0 ? Pick(random, Junk) : "500+"),
            new("Input.BrokerNetwork", random.Next(5) == 0 ? Pick(random, Junk) : "Pepperstone"),
        };
        if (random.Next(10) == 0)
        {
            fields.Add(new("Input.Website", "http://spam.example"));
        }

        if (random.Next(8) == 0)
        {
            fields.RemoveAt(random.Next(fields.Count));
        }

        if (random.Next(10) == 0)
        {
            fields.Add(new("Input.Name", "A second name"));
        }

        return (fields, fields.Any(f => f.Key == "Input.Email") ? email : string.Empty);
    }

    /// <summary>A webhook body of the right or wrong shape: tag events with odd contacts and tags, other events, non-JSON.</summary>
    private static (string Event, string Body) WebhookInput(Random random)
    {
        var eventType = Pick(random, ["CONTACT_TAG_ADDED", "CONTACT_TAG_REMOVED", "CONTACT_CREATED", "SALE_NEW", "", "contact.tag.added", HeaderJunk(random, 60)]);
        var contact = Pick(random,
        [
            "{\"id\":1,\"email\":\"hooked@example.com\"}", "{\"id\":\"x\",\"email\":12}", "null", "[]", "\"contact\"", "{\"contact\":{\"id\":2,\"email\":\"nested@example.com\"}}",
            "{\"id\":-1,\"email\":" + Json(Pick(random, Junk)) + "}", "{}",
        ]);
        var tag = Pick(random, ["{\"id\":5,\"name\":\"ib-abcdefgh-demo-request\"}", "{\"id\":5,\"name\":null}", "[]", "7", "{\"name\":" + Json(Pick(random, Junk)) + "}"]);
        var body = random.Next(5) switch
        {
            0 => Pick(random, Junk),
            1 => $"{{\"contact\":{contact}}}",
            2 => $"[{{\"type\":{Json(eventType)},\"data\":{{\"contact\":{contact}}}}}]",
            _ => $"{{\"contact\":{contact},\"tag\":{tag}}}",
        };
        return (eventType, body);
    }

    private static string Json(string value) => System.Text.Json.JsonSerializer.Serialize(value);

    /// <summary>A junk value cut to <paramref name="max"/> characters.</summary>
    private static string Short(Random random, int max)
    {
        var junk = Pick(random, Junk);
        return junk[..Math.Min(max, junk.Length)];
    }

    /// <summary>Junk that can travel in a header (no line breaks or NUL: a client cannot send those).</summary>
    private static string HeaderJunk(Random random, int max) =>
        new([.. Short(random, max).Where(c => c is not ('\r' or '\n' or '\0'))]);

    private static string Pick(Random random, string[] items) => items[random.Next(items.Length)];

    private static string Describe(HttpRequestMessage request)
    {
        var body = request.Content?.ReadAsStringAsync().GetAwaiter().GetResult() ?? string.Empty;
        return $"{request.Method} {request.RequestUri} {body[..Math.Min(200, body.Length)]}";
    }
}
