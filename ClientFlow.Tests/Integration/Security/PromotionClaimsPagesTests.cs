using System.Net;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Security;

public sealed class PromotionClaimsApp : SqliteApp;

/// <summary>
/// A template that promises profit saves with each claim flagged at its line and column; a workflow that sends it
/// publishes only once the IB acknowledges the claims, and the acknowledgement is in the audit trail.
/// </summary>
public sealed class PromotionClaimsPagesTests(PromotionClaimsApp fixture) : IClassFixture<PromotionClaimsApp>
{
    private ClientFlowAppFactory App => fixture.App;

    [Fact]
    public async Task AFlaggedTemplate_IsSavedWithWarnings_AndItsWorkflowPublishesOnlyWhenAcknowledged()
    {
        var ib = await App.SeedIbAsync("claims@promotion.test", "Claims IB");
        var template = await App.CreateTemplateAsync(ib.TenantId, "Hype", "A risk-free start", "<p>Hi</p>\n<p>Guaranteed profits every month.</p>");
        using var client = App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);

        var editor = await client.GetDocumentAsync($"/Templates/{template.Id}");
        var warnings = editor.QuerySelectorAll("[data-testid=claim-warning]").Select(w => w.TextContent).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.Contains("Subject, Line 1, column 3: \"risk-free\"", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("HtmlBody, Line 2, column 4: \"Guaranteed profits\"", StringComparison.Ordinal));

        Guid workflowId;
        await using (var scope = App.Services.CreateAsyncScope())
        using (scope.ServiceProvider.GetRequiredService<ClientFlow.Automation.Tenancy.TenantScope>().Enter(ib.TenantId))
        {
            var (workflow, _) = await scope.ServiceProvider.GetRequiredService<WorkflowEditor>().CreateAsync("Hype flow",
                new WorkflowDefinition(new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new SendEmailStep(template.Id)]), TestContext.Current.CancellationToken);
            workflowId = workflow!.Id;
        }

        using (var refused = await client.SubmitFormAsync($"/Workflows/{workflowId}", new Dictionary<string, string>(), "form[action*='handler=Publish']"))
        {
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
            var page = await PageClient.ParseAsync(refused);
            Assert.Contains("\"Hype\" Subject line 1, column 3: \"risk-free\"", page.QuerySelector("[data-testid=publish-problems]")?.TextContent, StringComparison.Ordinal);
            Assert.NotNull(page.QuerySelector("[data-testid=acknowledge-claims]"));
        }

        Assert.Null(await VersionAsync(ib.TenantId, workflowId));
        using (var published = await client.SubmitFormAsync($"/Workflows/{workflowId}", new Dictionary<string, string> { ["claimsAcknowledged"] = "true" }, "form[action*='handler=Publish']"))
        {
            Assert.Equal(HttpStatusCode.Redirect, published.StatusCode);
        }

        Assert.Equal(1, await VersionAsync(ib.TenantId, workflowId));
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var entry = await scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>().AuditEntries
                .SingleAsync(a => a.Action == "workflow.publish.claims-acknowledged" && a.TenantId == ib.TenantId, TestContext.Current.CancellationToken);
            Assert.Contains("\"Hype flow\" version 1", entry.Detail, StringComparison.Ordinal);
            Assert.Contains("Guaranteed profits", entry.Detail, StringComparison.Ordinal);
            Assert.NotNull(entry.ActorUserId);
        }
    }

    private Task<int?> VersionAsync(Guid tenantId, Guid workflowId) =>
        App.AsTenantAsync(tenantId, db => db.Workflows.Where(w => w.Id == workflowId).Select(w => w.PublishedVersionId == null ? (int?)null : w.PublishedVersionNumber).SingleAsync(TestContext.Current.CancellationToken));
}
