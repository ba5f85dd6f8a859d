using ClientFlow.Automation.Data;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Notifications;

public sealed class NotifyTargetApp : SqliteApp;

/// <summary>
/// A notify step emails only the IB's own confirmed address: publishing refuses a stranger's, and a step whose address
/// is no longer one of the IB's confirmed ones sends nothing and says why.
/// </summary>
public sealed class NotifyTargetTests(NotifyTargetApp fixture) : IClassFixture<NotifyTargetApp>
{
    private ClientFlowAppFactory App => fixture.App;

    [Fact]
    public async Task Publishing_RefusesAStrangersAddress_AndTakesTheIbsOwn_InAnyCase()
    {
        var ib = await App.SeedIbAsync("notify-own@targets.test", "Own IB");

        var stranger = await PublishAsync(ib.TenantId, "victim@example.com");
        var own = await PublishAsync(ib.TenantId, "Notify-Own@Targets.test");
        var empty = await PublishAsync(ib.TenantId, null);

        Assert.Contains(stranger, p => p.Contains("go only to your own confirmed address (notify-own@targets.test)", StringComparison.Ordinal));
        Assert.Empty(own);
        Assert.Empty(empty);
    }

    [Fact]
    public async Task AStepWhoseAddressIsNoLongerConfirmed_SendsNothing_AndSaysWhy()
    {
        var ib = await App.SeedIbAsync("notify-lapsed@targets.test", "Lapsed IB");
        await App.PublishWorkflowAsync(ib.TenantId, "Tell me", new WorkflowTrigger(TriggerKind.LeadCaptured, null),
            [new NotifyStep(NotifyChannel.Email, ib.Email, "New lead {{ email }}")]);
        await using (var scope = App.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>().Users.Where(u => u.Email == ib.Email)
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.EmailConfirmed, false), TestContext.Current.CancellationToken);
        }

        await App.CaptureAsync(ib.TenantId, new LeadInput { Email = "lapsed-lead@example.com" });

        await Eventually.HoldsAsync(
            async () => (await App.RunsOfAsync(ib.TenantId)).SingleOrDefault()?.Status == ClientFlow.Automation.Engine.RunStatus.Completed,
            "the run completes");
        var step = Assert.Single(await App.StepsOfAsync(ib.TenantId, (await App.RunsOfAsync(ib.TenantId)).Single().Id));
        Assert.StartsWith("Not sent: notification emails go only to the IB's own confirmed address", step.Outcome, StringComparison.Ordinal);
        Assert.DoesNotContain(await App.MessagesOfAsync(ib.TenantId), m => m.Kind == EmailKind.Notification);
    }

    private async Task<IReadOnlyList<string>> PublishAsync(Guid tenantId, string? target)
    {
        await using var scope = App.Services.CreateAsyncScope();
        using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(tenantId))
        {
            var editor = scope.ServiceProvider.GetRequiredService<WorkflowEditor>();
            var (workflow, error) = await editor.CreateAsync($"Notify {Guid.NewGuid():N}",
                new WorkflowDefinition(new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new NotifyStep(NotifyChannel.Email, target, "New lead {{ email }}")]),
                TestContext.Current.CancellationToken);
            Assert.Null(error);
            return await editor.PublishAsync(workflow!, TestContext.Current.CancellationToken);
        }
    }
}
