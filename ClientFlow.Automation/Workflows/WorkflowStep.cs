using System.Text.Json.Serialization;

namespace ClientFlow.Automation.Workflows;

/// <summary>One node of a workflow's step tree, as the IB sees it. Stored as JSON in drafts and versions.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(WaitStep), "wait")]
[JsonDerivedType(typeof(SendEmailStep), "send_email")]
[JsonDerivedType(typeof(AddTagStep), "add_tag")]
[JsonDerivedType(typeof(RemoveTagStep), "remove_tag")]
[JsonDerivedType(typeof(ConditionStep), "condition")]
[JsonDerivedType(typeof(NotifyStep), "notify")]
[JsonDerivedType(typeof(ExitStep), "exit")]
public abstract record WorkflowStep;

public sealed record WaitStep(int Amount, WaitUnit Unit) : WorkflowStep
{
    public TimeSpan Duration => Unit switch
    {
        WaitUnit.Minutes => TimeSpan.FromMinutes(Amount),
        WaitUnit.Hours => TimeSpan.FromHours(Amount),
        _ => TimeSpan.FromDays(Amount),
    };
}

public sealed record SendEmailStep(Guid TemplateId) : WorkflowStep;

public sealed record AddTagStep(string Slug) : WorkflowStep;

public sealed record RemoveTagStep(string Slug) : WorkflowStep;

/// <summary>
/// If <see cref="Condition"/> holds, run <see cref="Then"/>, else <see cref="Else"/>; then carry on after it.
/// With <see cref="WaitUpTo"/> (opened/clicked only) the run waits for the event: it takes the then-branch
/// the moment it happens, the else-branch when the time is up.
/// </summary>
public sealed record ConditionStep(WorkflowCondition Condition, IReadOnlyList<WorkflowStep> Then, IReadOnlyList<WorkflowStep> Else, WaitStep? WaitUpTo = null) : WorkflowStep;

/// <summary>
/// Tells the IB: an email to <see cref="Target"/> (default the IB's own), a signed webhook, or an SMS. An email has
/// <see cref="Subject"/> when given (a template, like the message), else "ClientFlow: {workflow} - {lead's email}".
/// </summary>
public sealed record NotifyStep(NotifyChannel Channel, string? Target, string Message, string? Subject = null) : WorkflowStep;

/// <summary>Ends the run here.</summary>
public sealed record ExitStep : WorkflowStep;

public enum WaitUnit
{
    Minutes,
    Hours,
    Days,
}

public enum NotifyChannel
{
    Email,
    Webhook,
    Sms,
}
