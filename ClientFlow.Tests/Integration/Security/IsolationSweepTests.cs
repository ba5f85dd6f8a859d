using System.Net;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Security;

public sealed class SweepApp : SqliteApp;

/// <summary>
/// Every page handler the app has, found by reflection over its page models and routed by the app's own endpoints
/// (GET and POST, default and named handlers), is asked by one IB for each of another IB's ids (lead, template,
/// workflow, email, run, outbox row, tenant) in every id it takes, route or handler parameter: each answers 404, and
/// the other IB's data is byte for byte what it was. A page or handler added later is swept without editing this test.
/// </summary>
public sealed partial class IsolationSweepTests(SweepApp fixture) : IClassFixture<SweepApp>
{
    private ClientFlowAppFactory App => fixture.App;

    [Fact]
    public async Task EveryHandler_AnswersAnotherIbsIds_With404_AndChangesNothing()
    {
        var victim = await App.SeedIbAsync("victim@sweep.test", "Victim", "victim-lead@example.com");
        var template = await App.CreateTemplateAsync(victim.TenantId, "Welcome", "Welcome", "<p>Hi</p>");
        var workflow = await App.PublishWorkflowAsync(victim.TenantId, "Welcome", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new SendEmailStep(template.Id)]);
        var captured = await App.CaptureAsync(victim.TenantId, new LeadInput { Email = "victim-captured@example.com" });
        await Eventually.HoldsAsync(
            async () => (await App.MessagesOfAsync(victim.TenantId)).SingleOrDefault()?.Status == EmailStatus.Sent
                && (await App.RunsOfAsync(victim.TenantId)).Single().Status == ClientFlow.Automation.Engine.RunStatus.Completed,
            "the victim's welcome is sent and its run done");
        var message = (await App.MessagesOfAsync(victim.TenantId)).Single();
        var run = (await App.RunsOfAsync(victim.TenantId)).Single();
        var operation = await App.AsTenantAsync(victim.TenantId, db => db.OutboundOperations.Select(o => o.Id).FirstAsync(TestContext.Current.CancellationToken));
        Guid[] victimIds = [victim.LeadIds[0], captured, template.Id, workflow, message.Id, run.Id, operation, victim.TenantId];
        var before = await SnapshotAsync(victim.TenantId);

        var attacker = await App.SeedIbAsync("attacker@sweep.test", "Attacker");
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(attacker.Email);
        var antiforgery = (await client.GetDocumentAsync("/Settings")).QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;

        var handlers = Handlers().ToList();
        Assert.True(handlers.Count >= 20, $"only {handlers.Count} handlers taking ids were found");
        var answers = new List<string>();
        var requests = 0;
        foreach (var handler in handlers)
        {
            foreach (var id in victimIds)
            {
                var url = RouteParameter().Replace(handler.Route, id.ToString());
                var query = new List<string>();
                if (handler.Name.Length > 0)
                {
                    query.Add($"handler={handler.Name}");
                }

                query.AddRange(handler.IdParameters.Where(p => !handler.Route.Contains($"{{{p}", StringComparison.Ordinal)).Select(p => $"{p}={id}"));
                var target = query.Count > 0 ? $"{url}?{string.Join("&", query)}" : url;
                using var request = new HttpRequestMessage(handler.Post ? HttpMethod.Post : HttpMethod.Get, target);
                if (handler.Post)
                {
                    request.Content = new FormUrlEncodedContent(
                        handler.IdParameters.Select(p => new KeyValuePair<string, string>(p, id.ToString()))
                            .Append(new("__RequestVerificationToken", antiforgery)));
                }

                using var response = await client.Http.SendAsync(request, TestContext.Current.CancellationToken);
                requests++;
                if (response.StatusCode != HttpStatusCode.NotFound)
                {
                    answers.Add($"{request.Method} {target} ({handler.Model}): {(int)response.StatusCode} {response.Headers.Location}");
                }
            }
        }

        Assert.True(answers.Count == 0, $"{answers.Count} of {requests} requests did not answer 404:\n{string.Join("\n", answers.Take(15))}");

        // The control: the same routes, built the same way, with the attacker's own ids, find its pages.
        var ownTemplate = await App.CreateTemplateAsync(attacker.TenantId, "Own", "Own", "<p>Own</p>");
        var ownWorkflow = await App.PublishWorkflowAsync(attacker.TenantId, "Own", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new SendEmailStep(ownTemplate.Id)]);
        var ownLead = await App.CaptureAsync(attacker.TenantId, new LeadInput { Email = "own-lead@example.com" });
        await Eventually.HoldsAsync(async () => (await App.MessagesOfAsync(attacker.TenantId)).Count == 1, "the attacker's own email");
        var ownMessage = (await App.MessagesOfAsync(attacker.TenantId)).Single().Id;
        foreach (var (model, own) in new[] { ("DetailsModel", ownLead), ("EditModel", ownTemplate.Id), ("EditModel", ownWorkflow), ("MessageModel", ownMessage) })
        {
            var found = false;
            foreach (var handler in handlers.Where(h => h.Model == model && !h.Post && h.Name.Length == 0))
            {
                using var response = await client.Http.GetAsync(RouteParameter().Replace(handler.Route, own.ToString()), TestContext.Current.CancellationToken);
                found |= response.StatusCode == HttpStatusCode.OK;
            }

            Assert.True(found, $"{model} with the attacker's own id {own} was not found: the sweep builds its addresses wrongly");
        }
        Assert.Equal(before, await SnapshotAsync(victim.TenantId));
        TestContext.Current.TestOutputHelper?.WriteLine($"{handlers.Count} handlers, {requests} requests with another IB's ids, all 404, nothing changed");
    }

    /// <summary>A page handler that takes an id: its route (parameters in braces), name, verb and the ids it binds.</summary>
    private sealed record Handler(string Model, string Route, string Name, bool Post, IReadOnlyList<string> IdParameters);

    /// <summary>The app's own Razor page endpoints (no Identity area), each page model's handlers, those that take an id.</summary>
    private IEnumerable<Handler> Handlers()
    {
        var pages = App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Endpoint: e, Page: e.Metadata.GetMetadata<PageActionDescriptor>()))
            .Where(e => e.Page is { AreaName: null })
            .GroupBy(e => e.Page!.ViewEnginePath)
            .Select(g => g.OrderByDescending(e => e.Endpoint.RoutePattern.RawText?.Length).First());
        foreach (var (endpoint, page) in pages)
        {
            var route = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            // Public pages keyed by a form key or token are not an IB's: the isolation tests and the fuzz cover them.
            if (route.Contains("{formKey", StringComparison.Ordinal) || route.Contains("{token", StringComparison.Ordinal))
            {
                continue;
            }

            var model = typeof(Program).Assembly.GetType($"ClientFlow.Web.Pages{page!.ViewEnginePath.Replace('/', '.')}Model")
                ?? throw new InvalidOperationException($"No page model for {page.ViewEnginePath}");
            foreach (var method in model.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                var match = HandlerMethod().Match(method.Name);
                if (!match.Success)
                {
                    continue;
                }

                var ids = method.GetParameters()
                    .Where(p => p.ParameterType == typeof(Guid) || p.ParameterType == typeof(Guid?) || (p.ParameterType == typeof(string) && route.Contains($"{{{p.Name}", StringComparison.Ordinal)))
                    .Select(p => p.Name!)
                    .ToList();
                if (ids.Count > 0 || RouteParameter().IsMatch(route))
                {
                    yield return new Handler(model.Name, route, match.Groups["name"].Value, match.Groups["verb"].Value == "Post", ids);
                }
            }
        }
    }

    /// <summary>Everything of the IB's that a request could change, as JSON.</summary>
    private Task<string> SnapshotAsync(Guid tenantId) => App.AsTenantAsync(tenantId, async db => JsonSerializer.Serialize(new
    {
        Tenant = await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId).Select(t => new { t.Name, t.MaxLeads, t.ApiKeyHash, t.WebhookTokenHash, t.NotificationSecret, t.SenderName, t.PostalAddress }).SingleAsync(),
        Leads = await db.Leads.AsNoTracking().Include(l => l.Tags).OrderBy(l => l.Email).Select(l => new { l.Id, l.Email, l.Name, l.Status, l.SyncState, Tags = l.Tags.OrderBy(t => t.Slug).Select(t => t.Slug).ToList() }).ToListAsync(),
        Templates = await db.EmailTemplates.AsNoTracking().OrderBy(t => t.Id).Select(t => new { t.Id, t.Name, t.Subject, t.HtmlBody, t.UpdatedAt }).ToListAsync(),
        Workflows = await db.Workflows.AsNoTracking().OrderBy(w => w.Id).Select(w => new { w.Id, w.Name, w.IsOn, w.PublishedVersionNumber, w.DraftJson, w.UpdatedAt }).ToListAsync(),
        Runs = await db.WorkflowRuns.AsNoTracking().OrderBy(r => r.Id).Select(r => new { r.Id, r.Status, r.Revision }).ToListAsync(),
        Messages = await db.EmailMessages.AsNoTracking().OrderBy(m => m.Id).Select(m => new { m.Id, m.Status, m.OpenedAt, m.ClickCount }).ToListAsync(),
        Operations = await db.OutboundOperations.AsNoTracking().OrderBy(o => o.Id).Select(o => new { o.Id, o.Status, o.Attempts }).ToListAsync(),
    }));

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();

    [GeneratedRegex("^On(?<verb>Get|Post)(?<name>[A-Za-z]*?)(Async)?$")]
    private static partial Regex HandlerMethod();
}
