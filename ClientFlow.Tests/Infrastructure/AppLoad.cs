using ClientFlow.Automation.Data;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Outbox;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Automation.Webhooks;
using ClientFlow.Automation.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Infrastructure;

/// <summary>
/// Rows in the states the load gauges count, written straight into a host's database with the times a test chooses
/// (runs of a real published workflow, outbox rows and inbound events), in the tenant's scope as the product writes them.
/// </summary>
public static class AppLoad
{
    /// <summary>Publishes a workflow nothing triggers in a test (its own rows are added by hand); returns its version.</summary>
    public static async Task<WorkflowVersion> PublishIdleWorkflowAsync(this ClientFlowAppFactory app, Guid tenantId, string name = "Idle")
    {
        var workflowId = await app.PublishWorkflowAsync(tenantId, name, new WorkflowTrigger(TriggerKind.TagAdded, "never-added"), [new WaitStep(1, WaitUnit.Days)]);
        return await app.AsTenantAsync(tenantId, db => db.WorkflowVersions.AsNoTracking().SingleAsync(v => v.WorkflowId == workflowId, TestContext.Current.CancellationToken));
    }

    public static Task AddRunsAsync(this ClientFlowAppFactory app, WorkflowVersion version, Guid leadId, params (RunStatus Status, DateTimeOffset DueAt)[] runs) =>
        app.InTenantAsync(version.TenantId, db => db.WorkflowRuns.AddRange(runs.Select(r => new WorkflowRun
        {
            WorkflowId = version.WorkflowId,
            VersionId = version.Id,
            LeadId = leadId,
            Status = r.Status,
            NextStep = 0,
            DueAt = r.DueAt,
            StartedAt = r.DueAt,
        })));

    /// <summary>Notification webhooks: work the outbox does whether or not Systeme.io is configured.</summary>
    public static Task AddOperationsAsync(this ClientFlowAppFactory app, Guid tenantId, params (OutboundStatus Status, DateTimeOffset NextAttemptAt)[] operations) =>
        app.AddOperationsAsync(tenantId, OutboundKind.NotifyWebhook, operations);

    public static Task AddOperationsAsync(this ClientFlowAppFactory app, Guid tenantId, OutboundKind kind, params (OutboundStatus Status, DateTimeOffset NextAttemptAt)[] operations) =>
        app.InTenantAsync(tenantId, db => db.OutboundOperations.AddRange(operations.Select(o => new OutboundOperation
        {
            Kind = kind,
            Payload = "{}",
            Status = o.Status,
            NextAttemptAt = o.NextAttemptAt,
            CreatedAt = o.NextAttemptAt,
        })));

    /// <summary>Inbound events belong to the platform: stored with no tenant in scope.</summary>
    public static async Task AddInboundEventsAsync(this ClientFlowAppFactory app, params (InboundStatus Status, DateTimeOffset ReceivedAt)[] events)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>();
        db.InboundEvents.AddRange(events.Select(e => new InboundEvent
        {
            Source = InboundSource.SystemeService,
            MessageId = $"load-{Guid.NewGuid():N}",
            EventType = "CONTACT_CREATED",
            Body = "{}",
            Status = e.Status,
            ReceivedAt = e.ReceivedAt,
            NextAttemptAt = e.ReceivedAt + Inbox.Lease,
        }));
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
    }

    private static async Task InTenantAsync(this ClientFlowAppFactory app, Guid tenantId, Action<ClientFlowDbContext> add)
    {
        await using var scope = app.Services.CreateAsyncScope();
        using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(tenantId))
        {
            var db = scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>();
            add(db);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
    }
}
