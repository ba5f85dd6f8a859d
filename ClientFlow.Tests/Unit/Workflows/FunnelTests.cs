using ClientFlow.Automation.Conversions;
using ClientFlow.Automation.Workflows;

namespace ClientFlow.Tests.Unit.Workflows;

/// <summary>Which dashboard stage a workflow serves, from its trigger: the seed notes' tags, and what brokers report.</summary>
public sealed class FunnelTests
{
    public static TheoryData<WorkflowTrigger, FunnelStage> Triggers => new()
    {
        { new WorkflowTrigger(TriggerKind.TagAdded, "converted"), FunnelStage.Convert },
        { new WorkflowTrigger(TriggerKind.BrokerEvent, null, BrokerEventKind.Registration), FunnelStage.Convert },
        { new WorkflowTrigger(TriggerKind.TagAdded, "inactive"), FunnelStage.Retain },
        { new WorkflowTrigger(TriggerKind.BrokerEvent, null, BrokerEventKind.Ftd), FunnelStage.Retain },
        { new WorkflowTrigger(TriggerKind.BrokerEvent, null, BrokerEventKind.Qualified), FunnelStage.Retain },
        { new WorkflowTrigger(TriggerKind.TagAdded, "demo-request"), FunnelStage.Nurture },
        { new WorkflowTrigger(TriggerKind.LeadCaptured, null), FunnelStage.Nurture },
        { new WorkflowTrigger(TriggerKind.Manual, null), FunnelStage.Nurture },
    };

    [Theory]
    [MemberData(nameof(Triggers))]
    public void AWorkflowsStage_FollowsItsTrigger(WorkflowTrigger trigger, FunnelStage stage) => Assert.Equal(stage, Funnel.StageOf(trigger));

    [Fact]
    public void ABrokerEventTrigger_IsFoundByItsEventsName_AndATagTriggerByItsSlug()
    {
        Assert.Equal("ftd", new WorkflowTrigger(TriggerKind.BrokerEvent, null, BrokerEventKind.Ftd).Key);
        Assert.Equal("demo-request", new WorkflowTrigger(TriggerKind.TagAdded, "demo-request").Key);
        Assert.Null(new WorkflowTrigger(TriggerKind.LeadCaptured, "ignored").Key);
    }
}
