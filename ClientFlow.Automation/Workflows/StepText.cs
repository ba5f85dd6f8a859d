using ClientFlow.Automation.Conversions;
using ClientFlow.Automation.Leads;

namespace ClientFlow.Automation.Workflows;

/// <summary>Steps and triggers in words, for the outline, the editor, run history and Hangfire job names.</summary>
public static class StepText
{
    public static string Describe(WorkflowStep step, IReadOnlyDictionary<Guid, string> templateNames) => step switch
    {
        WaitStep wait => $"Wait {wait.Amount} {Unit(wait)}",
        SendEmailStep send => $"Send email \"{TemplateName(send.TemplateId, templateNames)}\"",
        AddTagStep add => $"Add tag \"{add.Slug}\"",
        RemoveTagStep remove => $"Remove tag \"{remove.Slug}\"",
        ConditionStep { WaitUpTo: { } wait } condition => $"If {Describe(condition.Condition, templateNames)}, waiting up to {Describe(wait, templateNames)[5..]}",
        ConditionStep condition => $"If {Describe(condition.Condition, templateNames)}",
        NotifyStep notify => notify.Channel switch
        {
            NotifyChannel.Webhook => $"Notify me by webhook ({notify.Target})",
            NotifyChannel.Sms => $"Notify me by SMS ({notify.Target})",
            _ => (string.IsNullOrEmpty(notify.Target) ? "Notify me by email" : $"Notify {notify.Target} by email")
                + (string.IsNullOrWhiteSpace(notify.Subject) ? string.Empty : $": \"{notify.Subject}\""),
        },
        ExitStep => "Exit",
        _ => step.GetType().Name,
    };

    /// <summary>Whether <see cref="Describe(WorkflowStep, IReadOnlyDictionary{Guid, string})"/> names an email template for the step.</summary>
    public static bool NamesATemplate(WorkflowStep step) => step switch
    {
        SendEmailStep => true,
        ConditionStep { Condition: OpenedCondition { TemplateId: not null } or ClickedCondition { TemplateId: not null } } => true,
        _ => false,
    };

    public static string Describe(WorkflowCondition condition, IReadOnlyDictionary<Guid, string> templateNames) => condition switch
    {
        OpenedCondition opened => opened.TemplateId is { } id ? $"opened \"{TemplateName(id, templateNames)}\"" : "opened any email of this run",
        ClickedCondition clicked => clicked.TemplateId is { } id ? $"clicked in \"{TemplateName(id, templateNames)}\"" : "clicked in any email of this run",
        HasTagCondition tag => $"has tag \"{tag.Slug}\"",
        FieldCondition field => field.Operator switch
        {
            FieldOperator.IsSet => $"{FieldName(field.Field)} is set",
            // The form's buckets allow no "more than 200": the outline says what the condition really compares.
            FieldOperator.AtLeast when field.Field == LeadField.MonthlyLeads => $"monthly_leads is at least {field.Value} (a bucket of the form: <100, 100-499, 500+)",
            FieldOperator.AtLeast => $"{FieldName(field.Field)} is at least {field.Value}",
            FieldOperator.NotEquals => $"{FieldName(field.Field)} is not {field.Value}",
            FieldOperator.Contains => $"{FieldName(field.Field)} contains {field.Value}",
            _ => $"{FieldName(field.Field)} is {field.Value}",
        },
        StageCondition stage => $"has reached stage {StageName(stage.Stage)}",
        _ => condition.GetType().Name,
    };

    public static string Describe(WorkflowTrigger trigger) => trigger.Kind switch
    {
        TriggerKind.TagAdded => $"Tag \"{trigger.TagSlug}\" added",
        TriggerKind.LeadCaptured => "Lead captured",
        TriggerKind.BrokerEvent => $"A broker reports {BrokerEventName(trigger.BrokerEvent)}",
        _ => "Enrolled by hand",
    };

    /// <summary>A broker event as the IB reads it: "a registration", "an FTD (first deposit)", "qualified".</summary>
    public static string BrokerEventName(BrokerEventKind? kind) => kind switch
    {
        BrokerEventKind.Registration => "a registration",
        BrokerEventKind.Ftd => "an FTD (first deposit)",
        BrokerEventKind.Qualified => "the lead qualified",
        _ => "(no event chosen)",
    };

    /// <summary>A stage of the ladder as the lead page names it (Funded is the first-time deposit).</summary>
    public static string StageName(LeadStage stage) => stage == LeadStage.Funded ? "Funded (FTD)" : stage.ToString();

    public static string FieldName(LeadField field) => field switch
    {
        LeadField.MonthlyLeads => "monthly_leads",
        LeadField.IbType => "ib_type",
        LeadField.BrokerNetwork => "broker_network",
        LeadField.Name => "name",
        LeadField.Email => "email",
        _ => "phone",
    };

    public static string? FieldValue(Lead lead, LeadField field) => field switch
    {
        LeadField.MonthlyLeads => lead.MonthlyLeads,
        LeadField.IbType => lead.IbType,
        LeadField.BrokerNetwork => lead.BrokerNetwork,
        LeadField.Name => lead.Name,
        LeadField.Email => lead.Email,
        _ => lead.Phone,
    };

    private static string TemplateName(Guid id, IReadOnlyDictionary<Guid, string> names) => names.GetValueOrDefault(id, "(deleted template)");

    private static string Unit(WaitStep wait) => (wait.Unit, wait.Amount) switch
    {
        (WaitUnit.Minutes, 1) => "minute",
        (WaitUnit.Minutes, _) => "minutes",
        (WaitUnit.Hours, 1) => "hour",
        (WaitUnit.Hours, _) => "hours",
        (_, 1) => "day",
        _ => "days",
    };
}
