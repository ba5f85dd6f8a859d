using System.Net;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Templates;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Workflows;

/// <summary>
/// "For IB #2: clone workflows, update prefix": the admin's starter pack is copied into every new IB and can be given
/// to an existing one; a copy is the IB's own (new rows, published and OFF, bare tags), and the pack never changes.
/// </summary>
public abstract class StarterPackTests<TDatabase> : IAsyncLifetime
    where TDatabase : TestDatabase, new()
{
    private readonly TDatabase _database = new();
    private ClientFlowAppFactory _app = null!;

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        _app = new ClientFlowAppFactory(_database);
        await _app.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task ANewIb_GetsItsOwnCopyOfThePack_PublishedAndOff_AndTheAdminGivesItToAnExistingIb()
    {
        var pack = await SeedPackAsync();
        var existing = await _app.SeedIbAsync("existing@pack.test", "Existing IB");
        var ownWelcome = await _app.CreateTemplateAsync(existing.TenantId, "Welcome", "My own welcome", "<p>Mine</p>");

        using var admin = _app.CreatePageClient();
        await admin.LogInOrFailAsync(ClientFlowAppFactory.AdminEmail);
        (await admin.SubmitFormAsync("/Admin/Tenants", new Dictionary<string, string>(), $"[data-prefix='{pack.Ib.TagPrefix}'] form[action$='handler=StarterPack']")).Dispose();
        var tenants = await admin.GetDocumentAsync("/Admin/Tenants");
        Assert.Equal("the starter pack", tenants.QuerySelector($"[data-prefix='{pack.Ib.TagPrefix}'] [data-testid=tenant-starter-pack]")?.TextContent.Trim());

        // Sign-up: the new IB has the pack's templates and workflow as rows of its own.
        var newbie = await _app.SeedIbAsync("newbie@pack.test", "Newbie IB");
        var (templates, workflows) = await ContentOfAsync(newbie.TenantId);
        Assert.Equal(["Follow-up", "Welcome"], templates.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(templates, t => pack.TemplateIds.Contains(t.Id));
        var copy = Assert.Single(workflows);
        Assert.Equal("Pack welcome", copy.Name);
        Assert.False(copy.IsOn);
        Assert.Equal(1, copy.PublishedVersionNumber);
        var welcome = templates.Single(t => t.Name == "Welcome").Id;
        var followUp = templates.Single(t => t.Name == "Follow-up").Id;
        Assert.Equal(Definition(welcome, followUp).ToJson(), copy.Draft.ToJson());

        // Editable after, and the pack does not move: the copy's subject changes, the pack's stays.
        await _app.AsTenantAsync(newbie.TenantId, async db =>
        {
            await db.EmailTemplates.Where(t => t.Id == welcome).ExecuteUpdateAsync(s => s.SetProperty(t => t.Subject, "Newbie's own subject"), TestContext.Current.CancellationToken);
            return 0;
        });
        Assert.Equal("Welcome from the pack", (await ContentOfAsync(pack.Ib.TenantId)).Templates.Single(t => t.Name == "Welcome").Subject);

        // Turned ON, the copy enrols the new IB's leads on its own bare tag, in its own workflow.
        await SetOnAsync(newbie.TenantId, copy.Id);
        await _app.CaptureAsync(newbie.TenantId, new LeadInput { Email = "copied@example.com" });
        await Eventually.HoldsAsync(async () => (await _app.RunsOfAsync(newbie.TenantId)).SingleOrDefault()?.WorkflowId == copy.Id, "the copy enrols the new IB's lead");
        Assert.Empty(await _app.RunsOfAsync(pack.Ib.TenantId));

        // The admin gives the pack to an IB that already has a "Welcome": the copy is renamed, and its workflow uses it.
        (await admin.SubmitFormAsync("/Admin/Tenants", new Dictionary<string, string>(), $"[data-prefix='{existing.TagPrefix}'] form[action$='handler=GiveStarterPack']")).Dispose();
        var (given, givenWorkflows) = await ContentOfAsync(existing.TenantId);
        Assert.Equal(["Follow-up", "Welcome", "Welcome (starter pack)"], given.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.Equal("My own welcome", given.Single(t => t.Id == ownWelcome.Id).Subject);
        var renamed = given.Single(t => t.Name == "Welcome (starter pack)").Id;
        Assert.Equal(Definition(renamed, given.Single(t => t.Name == "Follow-up").Id).ToJson(), Assert.Single(givenWorkflows).Draft.ToJson());

        var audit = await admin.GetDocumentAsync("/Admin/Audit");
        Assert.Contains(audit.QuerySelectorAll("[data-testid=audit-row]"), r => r.GetAttribute("data-action") == "admin.starter-pack.set");
        Assert.Contains(audit.QuerySelectorAll("[data-testid=audit-row]"), r => r.GetAttribute("data-action") == "admin.starter-pack.given"
            && r.QuerySelector("[data-testid=audit-detail]")!.TextContent.StartsWith("2 template(s), 1 workflow(s) copied", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnIb_CannotSetOrGiveThePack()
    {
        var ib = await _app.SeedIbAsync("sneaky@pack.test", "Sneaky IB");
        using var client = _app.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);
        foreach (var handler in new[] { "StarterPack", "GiveStarterPack" })
        {
            using var response = await client.Http.PostAsync($"/Admin/Tenants?handler={handler}", new FormUrlEncodedContent(new Dictionary<string, string> { ["tenantId"] = ib.TenantId.ToString() }), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        Assert.False(await _app.AsTenantAsync(ib.TenantId, db => db.Tenants.AnyAsync(t => t.IsStarterPack, TestContext.Current.CancellationToken)));
    }

    private static WorkflowDefinition Definition(Guid welcome, Guid followUp) => new(
        new WorkflowTrigger(TriggerKind.TagAdded, "demo-request"),
        [
            new SendEmailStep(welcome),
            new WaitStep(2, WaitUnit.Days),
            new ConditionStep(new OpenedCondition(welcome), [new AddTagStep("engaged")], [new SendEmailStep(followUp)]),
        ]);

    private async Task<(SeededIb Ib, IReadOnlyList<Guid> TemplateIds)> SeedPackAsync()
    {
        var ib = await _app.SeedIbAsync("pack@pack.test", "Pack IB");
        var welcome = await _app.CreateTemplateAsync(ib.TenantId, "Welcome", "Welcome from the pack", "<p>Hi {{ first_name }}</p>");
        var followUp = await _app.CreateTemplateAsync(ib.TenantId, "Follow-up", "Still there?", "<p>Hello again</p>");
        await _app.PublishWorkflowAsync(ib.TenantId, "Pack welcome", Definition(welcome.Id, followUp.Id).Trigger, Definition(welcome.Id, followUp.Id).Steps);
        return (ib, [welcome.Id, followUp.Id]);
    }

    private Task<(List<EmailTemplate> Templates, List<Workflow> Workflows)> ContentOfAsync(Guid tenantId) =>
        _app.AsTenantAsync(tenantId, async db => (
            await db.EmailTemplates.AsNoTracking().ToListAsync(TestContext.Current.CancellationToken),
            await db.Workflows.AsNoTracking().ToListAsync(TestContext.Current.CancellationToken)));

    private async Task SetOnAsync(Guid tenantId, Guid workflowId)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(tenantId))
        {
            var editor = scope.ServiceProvider.GetRequiredService<WorkflowEditor>();
            Assert.Null(await editor.SetOnAsync((await editor.FindAsync(workflowId, TestContext.Current.CancellationToken))!, on: true, TestContext.Current.CancellationToken));
        }
    }
}

/// <summary>Starter packs on SQLite.</summary>
public sealed class SqliteStarterPackTests : StarterPackTests<SqliteTestDatabase>;
