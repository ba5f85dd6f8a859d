using System.ComponentModel.DataAnnotations;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Workflows;

namespace ClientFlow.Web.Pages.Workflows;

/// <summary>The editor's "add a step" form: one kind and the fields that kind uses.</summary>
public sealed class StepInput
{
    /// <summary>Where the step goes: <c>""</c> is the top level, <c>2/then</c> a branch (see <see cref="StepPath"/>).</summary>
    public string? ListPath { get; set; }

    [Required(ErrorMessage = "Pick a kind of step.")]
    public string? Kind { get; set; }

    [Display(Name = "Wait")]
    [Range(1, 525_600, ErrorMessage = "Enter a whole number from 1.")]
    public int? WaitAmount { get; set; }

    [Display(Name = "Unit")]
    public WaitUnit WaitUnit { get; set; } = WaitUnit.Minutes;

    [Display(Name = "Template")]
    public Guid? TemplateId { get; set; }

    [Display(Name = "Tag (without your prefix)")]
    public string? TagSlug { get; set; }

    [Display(Name = "Condition")]
    public string? ConditionKind { get; set; }

    [Display(Name = "Of email")]
    public Guid? ConditionTemplateId { get; set; }

    [Display(Name = "Field")]
    public LeadField ConditionField { get; set; } = LeadField.MonthlyLeads;

    [Display(Name = "Comparison")]
    public FieldOperator ConditionOperator { get; set; } = FieldOperator.Equals;

    [Display(Name = "Value")]
    public string? ConditionValue { get; set; }

    [Display(Name = "Stage")]
    public LeadStage ConditionStage { get; set; } = LeadStage.Funded;

    [Display(Name = "Wait for it up to (optional)")]
    [Range(1, 525_600, ErrorMessage = "Enter a whole number from 1.")]
    public int? ConditionWaitAmount { get; set; }

    [Display(Name = "Unit")]
    public WaitUnit ConditionWaitUnit { get; set; } = WaitUnit.Days;

    [Display(Name = "Notify by")]
    public NotifyChannel NotifyChannel { get; set; } = NotifyChannel.Email;

    [Display(Name = "To (email, webhook URL or phone)")]
    public string? NotifyTarget { get; set; }

    [Display(Name = "Subject (email; optional)")]
    [StringLength(200)]
    public string? NotifySubject { get; set; }

    [Display(Name = "Message")]
    public string? NotifyMessage { get; set; }

    public static IReadOnlyList<(string Value, string Text)> Kinds { get; } =
    [
        ("wait", "Wait"),
        ("send_email", "Send email"),
        ("add_tag", "Add tag"),
        ("remove_tag", "Remove tag"),
        ("condition", "If / else"),
        ("wait_until", "Wait until opened or clicked (up to…)"),
        ("notify", "Notify me"),
        ("exit", "Exit"),
    ];

    /// <summary>The step, or the name and reason of the first field that is missing.</summary>
    public (WorkflowStep? Step, string? Field, string? Error) ToStep() => Kind switch
    {
        "wait" => WaitAmount is { } amount ? (new WaitStep(amount, WaitUnit), null, null) : (null, nameof(WaitAmount), "Enter how long to wait."),
        "send_email" => TemplateId is { } id ? (new SendEmailStep(id), null, null) : (null, nameof(TemplateId), "Pick a template."),
        "add_tag" => string.IsNullOrWhiteSpace(TagSlug) ? (null, nameof(TagSlug), "Enter a tag.") : (new AddTagStep(TagSlug.Trim()), null, null),
        "remove_tag" => string.IsNullOrWhiteSpace(TagSlug) ? (null, nameof(TagSlug), "Enter a tag.") : (new RemoveTagStep(TagSlug.Trim()), null, null),
        "condition" => Condition() is { } condition
            ? (new ConditionStep(condition, [], [], ConditionWaitAmount is { } wait ? new WaitStep(wait, ConditionWaitUnit) : null), null, null)
            : (null, nameof(ConditionKind), "Complete the condition."),
        "wait_until" => ConditionKind is not ("opened" or "clicked")
            ? (null, nameof(ConditionKind), "Pick \"opened\" or \"clicked\" to wait for.")
            : ConditionWaitAmount is not { } upTo
                ? (null, nameof(ConditionWaitAmount), "Enter how long to wait at most.")
                : (new ConditionStep(Condition()!, [], [], new WaitStep(upTo, ConditionWaitUnit)), null, null),
        "notify" => string.IsNullOrWhiteSpace(NotifyMessage)
            ? (null, nameof(NotifyMessage), "Write the message.")
            : (new NotifyStep(
                NotifyChannel,
                string.IsNullOrWhiteSpace(NotifyTarget) ? null : NotifyTarget.Trim(),
                NotifyMessage.Trim(),
                NotifyChannel == NotifyChannel.Email && !string.IsNullOrWhiteSpace(NotifySubject) ? NotifySubject.Trim() : null), null, null),
        "exit" => (new ExitStep(), null, null),
        _ => (null, nameof(Kind), "Pick a kind of step."),
    };

    private WorkflowCondition? Condition() => ConditionKind switch
    {
        "opened" => new OpenedCondition(ConditionTemplateId),
        "clicked" => new ClickedCondition(ConditionTemplateId),
        "has_tag" => string.IsNullOrWhiteSpace(TagSlug) ? null : new HasTagCondition(TagSlug.Trim()),
        "reached_stage" => new StageCondition(ConditionStage),
        "field" => ConditionOperator == FieldOperator.IsSet || !string.IsNullOrWhiteSpace(ConditionValue)
            ? new FieldCondition(ConditionField, ConditionOperator, ConditionValue?.Trim() ?? string.Empty)
            : null,
        _ => null,
    };
}
