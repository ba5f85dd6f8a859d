using System.ComponentModel.DataAnnotations;
using ClientFlow.Automation.Conversions;
using ClientFlow.Automation.Workflows;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace ClientFlow.Web.Pages.Workflows;

/// <summary>The trigger's fields, shared by the "new workflow" form and the editor's settings (<c>_TriggerFields</c>).</summary>
public abstract class TriggerFields
{
    [Display(Name = "Starts when")]
    public TriggerKind TriggerKind { get; set; }

    [Display(Name = "Tag (without your prefix)")]
    public string? TriggerTag { get; set; }

    [Display(Name = "Broker event")]
    public BrokerEventKind TriggerEvent { get; set; } = BrokerEventKind.Ftd;

    /// <summary>Adds an error under <paramref name="prefix"/> for a field the chosen trigger needs and lacks.</summary>
    public void Validate(ModelStateDictionary modelState, string prefix)
    {
        ArgumentNullException.ThrowIfNull(modelState);
        if (TriggerKind == TriggerKind.TagAdded && string.IsNullOrWhiteSpace(TriggerTag))
        {
            modelState.AddModelError($"{prefix}.{nameof(TriggerTag)}", "Enter the tag that starts this workflow.");
        }
        else if (TriggerKind == TriggerKind.BrokerEvent && !WorkflowTrigger.BrokerEvents.Contains(TriggerEvent))
        {
            modelState.AddModelError($"{prefix}.{nameof(TriggerEvent)}", "Pick a registration, an FTD or qualified.");
        }
    }

    public WorkflowTrigger ToTrigger() => TriggerKind switch
    {
        TriggerKind.TagAdded => new WorkflowTrigger(TriggerKind, TriggerTag!.Trim()),
        TriggerKind.BrokerEvent => new WorkflowTrigger(TriggerKind, null, TriggerEvent),
        _ => new WorkflowTrigger(TriggerKind, null),
    };

    public void From(WorkflowTrigger trigger)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        TriggerKind = trigger.Kind;
        TriggerTag = trigger.TagSlug;
        TriggerEvent = trigger.BrokerEvent ?? BrokerEventKind.Ftd;
    }
}
