using System.Text.Json;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Notifications;
using ClientFlow.Automation.Outbox;
using ClientFlow.Automation.Templates;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Automation.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Engine;

/// <summary>
/// Runs one step of a run for the advancer, which saves what it adds in one transaction: it changes
/// rows and queues outside work (emails, Systeme.io, notifications) in the outbox with the (run, step)
/// key; it performs no I/O itself. Its reads happen before that transaction; a direct write (the daily
/// allowance) begins it. It moves <see cref="WorkflowRun.NextStep"/> on and returns what happened, in words.
/// </summary>
public sealed class StepExecutor(
    ClientFlowDbContext db,
    EmailComposer composer,
    SandboxedRenderer renderer,
    LeadTagging tagging,
    EmailSends emailSends,
    SendingGate sending,
    DailyAllowance allowance,
    AfterCommit afterCommit,
    IOptions<OutboxOptions> outbox,
    IOptions<TrackingOptions> tracking,
    TimeProvider clock)
{
    public async Task<string?> ExecuteAsync(WorkflowRun run, ProgramNode node, Workflow workflow, CancellationToken cancellationToken)
    {
        run.NextStep = node.Next;
        switch (node.Step)
        {
            // Neither reads the lead: a wait begun by an import's 100,000 runs needs only the run.
            case WaitStep wait:
                return Wait(run, wait);
            case ExitStep:
                return Exit(run);
        }

        var lead = await db.Leads.Include(l => l.Tags).SingleAsync(l => l.Id == run.LeadId, cancellationToken);
        try
        {
            return node.Step switch
            {
                SendEmailStep send => await SendAsync(run, node, lead, send, cancellationToken),
                AddTagStep add => (await tagging.AddAsync(lead, [add.Slug], cancellationToken)).Count > 0 ? $"Added tag {add.Slug}" : $"Already had tag {add.Slug}",
                RemoveTagStep remove => tagging.Remove(lead, remove.Slug) ? $"Removed tag {remove.Slug}" : $"Did not have tag {remove.Slug}",
                ConditionStep condition => await BranchAsync(run, node, lead, condition, cancellationToken),
                NotifyStep notify => await NotifyAsync(run, node, lead, workflow, notify, cancellationToken),
                _ => throw new InvalidOperationException($"Unknown step {node.Step.GetType().Name}."),
            };
        }
        catch (TemplateRenderException ex)
        {
            run.Status = RunStatus.Failed;
            run.LastError = $"The template could not render: {ex.Message}";
            return run.LastError;
        }
    }

    private string Wait(WorkflowRun run, WaitStep wait)
    {
        run.Status = RunStatus.Waiting;
        run.DueAt = clock.GetUtcNow() + wait.Duration;
        return WaitingUntil(run.DueAt);
    }

    /// <summary>What a wait step did, in words.</summary>
    internal static string WaitingUntil(DateTimeOffset dueAt) => $"Waiting until {dueAt:yyyy-MM-dd HH:mm:ss} UTC";

    private async Task<string> SendAsync(WorkflowRun run, ProgramNode node, Lead lead, SendEmailStep send, CancellationToken cancellationToken)
    {
        if (lead.Status == LeadStatus.Unsubscribed)
        {
            return "Not sent: the lead unsubscribed";
        }

        var template = await db.EmailTemplates.AsNoTracking().SingleOrDefaultAsync(t => t.Id == send.TemplateId, cancellationToken);
        if (template is null)
        {
            run.Status = RunStatus.Failed;
            run.LastError = "The email template of this step was deleted.";
            return run.LastError;
        }

        var message = await composer.ComposeAsync(template, lead, cancellationToken);
        message.LeadId = lead.Id;
        emailSends.Add(run.TenantId, message, run.Id, node.Index);
        return $"Email \"{template.Name}\" queued to {lead.Email}";
    }

    /// <summary>Null while an "if …, waiting up to" step keeps waiting: nothing is recorded until it decides.</summary>
    private async Task<string?> BranchAsync(WorkflowRun run, ProgramNode node, Lead lead, ConditionStep condition, CancellationToken cancellationToken)
    {
        var holds = await HoldsAsync(run, lead, condition.Condition, cancellationToken);
        if (!holds && condition.WaitUpTo is { } wait)
        {
            var now = clock.GetUtcNow();
            run.TimeoutAt ??= now + wait.Duration;
            if (now < run.TimeoutAt)
            {
                run.NextStep = node.Index;
                run.Status = RunStatus.Waiting;
                run.DueAt = run.TimeoutAt.Value;
                return null;
            }
        }

        var waited = run.TimeoutAt is not null;
        run.TimeoutAt = null;
        run.NextStep = holds ? node.Then : node.Else;
        return (holds, waited) switch
        {
            (true, _) => "Yes: then-branch",
            (false, true) => "No: timed out, else-branch",
            _ => "No: else-branch",
        };
    }

    private async Task<bool> HoldsAsync(WorkflowRun run, Lead lead, WorkflowCondition condition, CancellationToken cancellationToken)
    {
        var sends = db.EmailMessages.Where(m => m.RunId == run.Id);
        var machines = tracking.Value.CountMachineEvents;
        return condition switch
        {
            OpenedCondition opened => await sends.AnyAsync(m => (opened.TemplateId == null || m.TemplateId == opened.TemplateId) && (m.OpenedAt != null || (machines && m.LastMachineEventAt != null)), cancellationToken),
            ClickedCondition clicked => await sends.AnyAsync(m => (clicked.TemplateId == null || m.TemplateId == clicked.TemplateId) && (m.ClickedAt != null || (machines && m.LastMachineEventAt != null)), cancellationToken),
            HasTagCondition tag => lead.Tags.Any(t => t.Slug == tag.Slug),
            FieldCondition field => FieldComparison.Holds(StepText.FieldValue(lead, field.Field), field),
            StageCondition stage => lead.Stage >= stage.Stage,
            _ => false,
        };
    }

    private async Task<string> NotifyAsync(WorkflowRun run, ProgramNode node, Lead lead, Workflow workflow, NotifyStep notify, CancellationToken cancellationToken)
    {
        var model = TemplateModel.For(lead, string.Empty, string.Empty, string.Empty);
        var text = renderer.Render(notify.Message, model, TemplateFormat.Text);
        // Each notification takes one from the IB's daily allowance, inside this step's transaction: one that is not sent takes none.
        switch (notify.Channel)
        {
            case NotifyChannel.Email:
                // A version published before the rule, or an address no longer confirmed: the notification is not sent.
                if (!string.IsNullOrWhiteSpace(notify.Target) && !SendingGate.IsOwn(await sending.OwnAddressesAsync(run.TenantId, cancellationToken), notify.Target))
                {
                    return $"Not sent: notification emails go only to the IB's own confirmed address, not {notify.Target}";
                }

                if (await LimitReachedAsync(run.TenantId, DailyLimitKind.Notifications, cancellationToken) is { } emailsReached)
                {
                    return emailsReached;
                }

                var subject = string.IsNullOrWhiteSpace(notify.Subject)
                    ? $"ClientFlow: {workflow.Name} - {lead.Email}"
                    : renderer.Render(notify.Subject, model, TemplateFormat.Text);
                var message = await composer.ComposeNotificationAsync(run.TenantId, notify.Target, subject, text, cancellationToken);
                message.LeadId = lead.Id;
                emailSends.Add(run.TenantId, message, run.Id, node.Index);
                return $"Notification email queued to {message.To}";
            case NotifyChannel.Webhook:
                if (await LimitReachedAsync(run.TenantId, DailyLimitKind.Notifications, cancellationToken) is { } webhooksReached)
                {
                    return webhooksReached;
                }

                var notification = new Notification(notify.Target!, "workflow.notify", workflow.Id, workflow.Name, run.Id, lead.Id, lead.Email, lead.Name, text);
                Queue(run, node, OutboundKind.NotifyWebhook, lead.Id, JsonSerializer.Serialize(notification));
                return $"Webhook queued to {notify.Target}";
            default:
                // The operator's SMS account texts only numbers the IB confirmed as its own (a code sent from Settings).
                if (!SendingGate.IsOwnNumber(await sending.OwnNumbersAsync(run.TenantId, cancellationToken), notify.Target))
                {
                    return $"Not sent: text messages go only to the IB's own confirmed mobile number, not {notify.Target}";
                }

                if (await LimitReachedAsync(run.TenantId, DailyLimitKind.Sms, cancellationToken) is { } smsReached)
                {
                    return smsReached;
                }

                Queue(run, node, OutboundKind.NotifySms, lead.Id, JsonSerializer.Serialize(new SmsNotification(notify.Target!, text)));
                return $"SMS queued to {notify.Target}";
        }
    }

    /// <summary>
    /// Takes one from the IB's daily allowance in the step's transaction, begun here (the step's first write; the advancer
    /// commits it with the step's rows), so a step that is rolled back takes nothing. Null when taken, else why not.
    /// </summary>
    private async Task<string?> LimitReachedAsync(Guid tenantId, DailyLimitKind kind, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is null)
        {
            await db.Database.BeginTransactionAsync(cancellationToken);
        }

        return await allowance.TryTakeAsync(tenantId, kind, cancellationToken)
            ? null
            : "Not sent: " + DailyAllowance.Reached(kind, await allowance.LimitAsync(tenantId, kind, cancellationToken));
    }

    private static string Exit(WorkflowRun run)
    {
        run.Status = RunStatus.Exited;
        run.NextStep = null;
        return "Exited";
    }

    private void Queue(WorkflowRun run, ProgramNode node, OutboundKind kind, Guid leadId, string payload)
    {
        var now = clock.GetUtcNow();
        var row = new OutboundOperation
        {
            Kind = kind,
            LeadId = leadId,
            RunId = run.Id,
            StepIndex = node.Index,
            Payload = payload,
            CreatedAt = now,
            NextAttemptAt = now,
            LeaseUntil = now + outbox.Value.Lease,
        };
        db.OutboundOperations.Add(row);
        afterCommit.Outbound(run.TenantId, row.Id);
    }
}
