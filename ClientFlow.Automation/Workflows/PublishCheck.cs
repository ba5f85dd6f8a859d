using ClientFlow.Automation.Conversions;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Notifications;
using ClientFlow.Automation.Templates;
using ClientFlow.Automation.Tenancy;

namespace ClientFlow.Automation.Workflows;

/// <summary>
/// What publishing refuses: an empty workflow, a template that is not the tenant's, a tag that is
/// not a bare slug (another IB's prefixed tag included), a wait out of range, a bad notify target,
/// a field comparison that cannot hold. Each problem names the step in words.
/// </summary>
public static class PublishCheck
{
    public const int MaxWaitDays = 365;
    public const int MaxSteps = 100;

    /// <param name="own">The IB's own confirmed addresses and mobile numbers, the only ones a notify step may email or text (null: not checked).</param>
    public static IReadOnlyList<string> Problems(
        WorkflowDefinition definition, IReadOnlyDictionary<Guid, string> templates, bool allowPrivateTargets, OwnTargets? own = null)
    {
        var problems = new List<string>();
        if (definition.Trigger.Kind == TriggerKind.TagAdded)
        {
            CheckSlug(problems, definition.Trigger.TagSlug, "The trigger");
        }
        else if (definition.Trigger is { Kind: TriggerKind.BrokerEvent, BrokerEvent: var brokerEvent } && !(brokerEvent is { } kind && WorkflowTrigger.BrokerEvents.Contains(kind)))
        {
            problems.Add("The trigger: pick the broker event that starts this workflow: a registration, an FTD or qualified.");
        }

        if (definition.Steps.Count == 0)
        {
            problems.Add("Add at least one step before publishing.");
        }

        var count = 0;
        Walk(definition.Steps, problems, templates, allowPrivateTargets, own, ref count);
        if (count > MaxSteps)
        {
            problems.Add($"A workflow can have at most {MaxSteps} steps.");
        }

        return problems;
    }

    private static void Walk(
        IReadOnlyList<WorkflowStep> steps, List<string> problems, IReadOnlyDictionary<Guid, string> templates, bool allowPrivate, OwnTargets? own, ref int count)
    {
        foreach (var step in steps)
        {
            count++;
            var where = $"Step \"{StepText.Describe(step, templates)}\"";
            switch (step)
            {
                case WaitStep wait when wait.Amount < 1 || wait.Duration > TimeSpan.FromDays(MaxWaitDays):
                    problems.Add($"{where}: a wait is between 1 minute and {MaxWaitDays} days.");
                    break;
                case SendEmailStep send when !templates.ContainsKey(send.TemplateId):
                    problems.Add($"{where}: pick one of your templates.");
                    break;
                case AddTagStep add:
                    CheckSlug(problems, add.Slug, where);
                    break;
                case RemoveTagStep remove:
                    CheckSlug(problems, remove.Slug, where);
                    break;
                case NotifyStep notify:
                    CheckNotify(problems, notify, where, allowPrivate, own);
                    break;
                case ConditionStep condition:
                    CheckCondition(problems, condition.Condition, where, templates);
                    if (condition.WaitUpTo is not null && condition.Condition is not (OpenedCondition or ClickedCondition))
                    {
                        problems.Add($"{where}: only \"opened\" and \"clicked\" can wait for the event.");
                    }
                    else if (condition.WaitUpTo is { } upTo && (upTo.Amount < 1 || upTo.Duration > TimeSpan.FromDays(MaxWaitDays)))
                    {
                        problems.Add($"{where}: a wait is between 1 minute and {MaxWaitDays} days.");
                    }

                    Walk(condition.Then, problems, templates, allowPrivate, own, ref count);
                    Walk(condition.Else, problems, templates, allowPrivate, own, ref count);
                    break;
            }
        }
    }

    private static void CheckCondition(List<string> problems, WorkflowCondition condition, string where, IReadOnlyDictionary<Guid, string> templates)
    {
        switch (condition)
        {
            case OpenedCondition { TemplateId: { } id } when !templates.ContainsKey(id):
            case ClickedCondition { TemplateId: { } clickedId } when !templates.ContainsKey(clickedId):
                problems.Add($"{where}: pick one of your templates.");
                break;
            case HasTagCondition tag:
                CheckSlug(problems, tag.Slug, where);
                break;
            case StageCondition stage when !Enum.IsDefined(stage.Stage):
                problems.Add($"{where}: pick a stage of the ladder.");
                break;
            case FieldCondition { Operator: FieldOperator.AtLeast } field when field.Field != LeadField.MonthlyLeads || !FieldComparison.IsVolumeBucket(field.Value):
                problems.Add($"{where}: \"at least\" compares monthly_leads with <100, 100-499 or 500+.");
                break;
            case FieldCondition { Operator: not FieldOperator.IsSet } field when string.IsNullOrWhiteSpace(field.Value):
                problems.Add($"{where}: enter the value to compare with.");
                break;
        }
    }

    private static void CheckNotify(List<string> problems, NotifyStep notify, string where, bool allowPrivate, OwnTargets? own)
    {
        var messageErrors = TemplateCompiler.Check("Message", notify.Message);
        if (string.IsNullOrWhiteSpace(notify.Message))
        {
            problems.Add($"{where}: write the notification message.");
        }
        else if (messageErrors.Count > 0)
        {
            problems.Add($"{where}: the message {messageErrors[0]}");
        }

        if (notify.Subject is { } subject && TemplateCompiler.Check("Subject", subject) is [var subjectError, ..])
        {
            problems.Add($"{where}: the subject {subjectError}");
        }

        switch (notify.Channel)
        {
            case NotifyChannel.Webhook when TargetGuard.CheckUrl(notify.Target, allowPrivate) is { } refusal:
                problems.Add($"{where}: {refusal}");
                break;
            case NotifyChannel.Sms when !IsPhoneNumber(notify.Target):
                problems.Add($"{where}: an SMS number is in international format, such as +447700900123.");
                break;
            case NotifyChannel.Email when !string.IsNullOrWhiteSpace(notify.Target) && !LeadInputRules.IsEmail(notify.Target):
                problems.Add($"{where}: enter a valid email address, or leave it empty to notify yourself.");
                break;
            case NotifyChannel.Sms when own is not null && !SendingGate.IsOwnNumber(own.Numbers, notify.Target):
                problems.Add(own.Numbers.Count == 0
                    ? $"{where}: text messages go only to your own mobile number; confirm it in Settings first."
                    : $"{where}: text messages go only to your own confirmed mobile number{(own.Numbers.Count == 1 ? $" ({own.Numbers[0]})" : "s")}.");
                break;
            case NotifyChannel.Email when !string.IsNullOrWhiteSpace(notify.Target) && own is not null && !SendingGate.IsOwn(own.Addresses, notify.Target):
                problems.Add($"{where}: notification emails go only to your own confirmed address{(own.Addresses.Count == 1 ? $" ({own.Addresses[0]})" : "es")}; leave it empty to notify yourself.");
                break;
        }
    }

    /// <summary>A number in international (E.164) format, such as <c>+447700900123</c>.</summary>
    public static bool IsPhoneNumber(string? number) =>
        number is not null && System.Text.RegularExpressions.Regex.IsMatch(number, @"^\+[1-9][0-9]{6,14}$", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));

    private static void CheckSlug(List<string> problems, string? slug, string where)
    {
        if (slug is not null && TagPrefix.LooksPrefixed(slug))
        {
            problems.Add($"{where}: \"{slug}\" carries an IB prefix. Write tags without a prefix; yours is added for you.");
        }
        else if (!TagSlug.IsValid(slug))
        {
            problems.Add($"{where}: \"{slug}\" is not a tag. Use lower-case letters, digits and single hyphens.");
        }
    }
}
