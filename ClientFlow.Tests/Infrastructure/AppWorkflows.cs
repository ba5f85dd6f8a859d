using System.Net.Http.Json;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Templates;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Automation.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Infrastructure;

/// <summary>Builds templates and workflows through the product's own services, as an IB's pages do.</summary>
public static class AppWorkflows
{
    public static async Task<EmailTemplate> CreateTemplateAsync(this ClientFlowAppFactory app, Guid tenantId, string name, string subject, string htmlBody, string? textBody = null)
    {
        await using var scope = app.Services.CreateAsyncScope();
        using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(tenantId))
        {
            var result = await scope.ServiceProvider.GetRequiredService<EmailTemplates>()
                .SaveAsync(null, new TemplateInput(name, subject, htmlBody, textBody), TestContext.Current.CancellationToken);
            Assert.True(result!.Succeeded, string.Join("; ", result.Errors));
            return result.Template!;
        }
    }

    /// <summary>Adds a broker connection (the Custom preset) as the IB's /Conversions page does; returns it with its postback token.</summary>
    public static async Task<(Automation.Conversions.BrokerConnection Connection, string Token)> ConnectBrokerAsync(this ClientFlowAppFactory app, Guid tenantId, string name, string referralLink)
    {
        await using var scope = app.Services.CreateAsyncScope();
        using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(tenantId))
        {
            return await scope.ServiceProvider.GetRequiredService<Automation.Conversions.BrokerConnections>()
                .CreateAsync(name, Automation.Conversions.BrokerPlatform.Custom, referralLink, null, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Creates, publishes and turns ON a workflow; returns its id.</summary>
    public static async Task<Guid> PublishWorkflowAsync(this ClientFlowAppFactory app, Guid tenantId, string name, WorkflowTrigger trigger, IReadOnlyList<WorkflowStep> steps, bool allowReentry = false)
    {
        await using var scope = app.Services.CreateAsyncScope();
        using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(tenantId))
        {
            var editor = scope.ServiceProvider.GetRequiredService<WorkflowEditor>();
            var (workflow, error) = await editor.CreateAsync(name, new WorkflowDefinition(trigger, steps), TestContext.Current.CancellationToken);
            Assert.Null(error);
            if (allowReentry)
            {
                await editor.RenameAsync(workflow!, name, allowReentry: true, TestContext.Current.CancellationToken);
            }

            var problems = await editor.PublishAsync(workflow!, TestContext.Current.CancellationToken);
            Assert.Empty(problems);
            Assert.Null(await editor.SetOnAsync(workflow!, on: true, TestContext.Current.CancellationToken));
            return workflow!.Id;
        }
    }

    /// <summary>Creates and publishes a one-step workflow and tries to turn it ON: null when it went ON, else the refusal.</summary>
    public static async Task<string?> TryTurnOnNewWorkflowAsync(this ClientFlowAppFactory app, Guid tenantId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(tenantId))
        {
            var editor = scope.ServiceProvider.GetRequiredService<WorkflowEditor>();
            var (workflow, error) = await editor.CreateAsync($"Flow {Guid.NewGuid():N}", new WorkflowDefinition(new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new AddTagStep("turned-on")]), TestContext.Current.CancellationToken);
            Assert.Null(error);
            Assert.Empty(await editor.PublishAsync(workflow!, TestContext.Current.CancellationToken));
            return await editor.SetOnAsync(workflow!, on: true, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Captures leads by email in one batch, as an import batch does; each must be new.</summary>
    public static async Task CaptureManyAsync(this ClientFlowAppFactory app, Guid tenantId, IEnumerable<string> emails)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var results = await scope.ServiceProvider.GetRequiredService<LeadCapture>()
            .CaptureValidAsync(tenantId, [.. emails.Select(e => new LeadInput { Email = e })], LeadSource.Import, syncNow: true, TestContext.Current.CancellationToken);
        Assert.All(results, r => Assert.Equal(CaptureStatus.Created, r.Status));
    }

    /// <summary>Captures a lead through the one capture path (as the form and the API do).</summary>
    public static async Task<Guid> CaptureAsync(this ClientFlowAppFactory app, Guid tenantId, LeadInput input)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<LeadCapture>().CaptureAsync(tenantId, input, LeadSource.Api, TestContext.Current.CancellationToken);
        Assert.Equal(CaptureStatus.Created, result.Status);
        return result.Lead!.Id;
    }

    public static Task<List<EmailMessage>> MessagesOfAsync(this ClientFlowAppFactory app, Guid tenantId) =>
        app.AsTenantAsync(tenantId, db => db.EmailMessages.AsNoTracking().OrderBy(m => m.CreatedAt).ToListAsync(TestContext.Current.CancellationToken));

    public static Task<List<WorkflowRun>> RunsOfAsync(this ClientFlowAppFactory app, Guid tenantId) =>
        app.AsTenantAsync(tenantId, db => db.WorkflowRuns.AsNoTracking().OrderBy(r => r.StartedAt).ToListAsync(TestContext.Current.CancellationToken));

    public static Task<List<RunStep>> StepsOfAsync(this ClientFlowAppFactory app, Guid tenantId, Guid runId) =>
        app.AsTenantAsync(tenantId, db => db.RunSteps.AsNoTracking().Where(s => s.RunId == runId).OrderBy(s => s.ExecutedAt).ThenBy(s => s.StepIndex).ToListAsync(TestContext.Current.CancellationToken));

    /// <summary>Gives the IB a new Systeme.io workflow webhook token, as /Settings does, and returns it.</summary>
    public static async Task<string> IssueWebhookTokenAsync(this ClientFlowAppFactory app, Guid tenantId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Automation.Data.ClientFlowDbContext>();
        var token = Automation.Webhooks.WebhookTokens.Issue(await db.Tenants.SingleAsync(t => t.Id == tenantId, TestContext.Current.CancellationToken));
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return token;
    }

    /// <summary>One pass of the engine's recovery sweep (the recurring job does the same every minute).</summary>
    public static async Task<int> SweepRunsAsync(this ClientFlowAppFactory app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<EngineSweep>().RunAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Claims the tenant's due runs as wakes do, a batch at a time, until none is left due: each run with the hand-off it took.</summary>
    public static async Task<List<(Guid RunId, Guid Handoff)>> ClaimAllDueAsync(this ClientFlowAppFactory app, Guid tenantId)
    {
        var taken = new List<(Guid RunId, Guid Handoff)>();
        while (true)
        {
            await using var scope = app.Services.CreateAsyncScope();
            using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(tenantId))
            {
                var claim = await scope.ServiceProvider.GetRequiredService<DueRuns>().ClaimAsync(TestContext.Current.CancellationToken);
                taken.AddRange(claim.RunIds.Select(id => (id, claim.Handoff)));
                if (claim.RunIds.Count == 0 && !claim.Full)
                {
                    return taken;
                }
            }
        }
    }

    /// <summary>
    /// Takes the recurring sweeps off the host's Hangfire: a minute boundary can then no longer hand out, mid-test, the
    /// due rows a test is counting (tests run a sweep themselves when they want one).
    /// </summary>
    public static void RemoveRecurringSweeps(this ClientFlowAppFactory app)
    {
        var recurring = app.Services.GetRequiredService<Hangfire.IRecurringJobManager>();
        foreach (var id in new[] { Automation.Jobs.EngineSweepJob.RecurringId, Automation.Jobs.OutboxSweepJob.RecurringId, Automation.Jobs.InboxSweepJob.RecurringId })
        {
            recurring.RemoveIfExists(id);
        }
    }

    /// <summary>One pass of the outbox sweep.</summary>
    public static async Task<int> SweepOutboxAsync(this ClientFlowAppFactory app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<Automation.Outbox.OutboxSweep>().RunAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>One worker performing one outbox row, as its job would: its own scope, in the tenant.</summary>
    public static async Task DispatchOutboxAsync(this ClientFlowAppFactory app, Guid tenantId, Guid operationId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(tenantId))
        {
            await scope.ServiceProvider.GetRequiredService<Automation.Outbox.OutboxDispatcher>().DispatchAsync(operationId, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>POST /api/v1/leads with the IB's API key, as an IB's integration does.</summary>
    public static async Task<HttpResponseMessage> PostLeadAsync(this ClientFlowAppFactory app, string apiKey, object body)
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/leads") { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Api-Key", apiKey);
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
