using System.ComponentModel.DataAnnotations;
using ClientFlow.Automation.Counters;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Workflows;
using ClientFlow.Web.Tenancy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Web.Pages.Workflows;

public sealed class IndexModel(ClientFlowDbContext db, WorkflowEditor editor) : PageModel
{
    public IReadOnlyList<WorkflowSummary> Workflows { get; private set; } = [];

    public int MaxWorkflows { get; private set; }

    [TempData]
    public string? StatusMessage { get; set; }

    [BindProperty]
    public NewWorkflowInput Input { get; set; } = new();

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken)
    {
        Input.Validate(ModelState, nameof(Input));

        if (!ModelState.IsValid)
        {
            await LoadAsync(cancellationToken);
            return Page();
        }

        var (workflow, error) = await editor.CreateAsync(Input.Name, new WorkflowDefinition(Input.ToTrigger(), []), cancellationToken);
        if (workflow is null)
        {
            ModelState.AddModelError("Input.Name", error!);
            await LoadAsync(cancellationToken);
            return Page();
        }

        return RedirectToPage("Edit", new { id = workflow.Id });
    }

    public async Task<IActionResult> OnPostToggleAsync(Guid id, bool on, CancellationToken cancellationToken)
    {
        var workflow = await editor.FindAsync(id, cancellationToken);
        if (workflow is null)
        {
            return NotFound();
        }

        StatusMessage = await editor.SetOnAsync(workflow, on, cancellationToken) ?? $"{workflow.Name} is {(on ? "ON" : "OFF")}.";
        return RedirectToPage();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var names = await editor.TemplateNamesAsync(cancellationToken);
        var workflows = await editor.ListAsync(cancellationToken);
        var versionIds = workflows.Where(w => w.PublishedVersionId != null).Select(w => w.PublishedVersionId!.Value).ToList();
        var versions = await db.WorkflowVersions.AsNoTracking().Where(v => versionIds.Contains(v.Id)).ToDictionaryAsync(v => v.Id, cancellationToken);
        var live = await db.LiveRunsPerWorkflowAsync(cancellationToken);

        Workflows = workflows.Select(w =>
        {
            var definition = w.PublishedVersionId is { } versionId ? versions[versionId].Definition : w.Draft;
            return new WorkflowSummary(w, StepText.Describe(definition.Trigger), Outline.Of(definition, names), live.GetValueOrDefault(w.Id));
        }).ToList();
        var tenantId = User.GetTenantId();
        MaxWorkflows = await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.MaxWorkflows).SingleAsync(cancellationToken);
    }

    public sealed record WorkflowSummary(Workflow Workflow, string Trigger, IReadOnlyList<Outline.Line> Outline, int LiveRuns);

    public sealed class NewWorkflowInput : TriggerFields
    {
        public NewWorkflowInput()
        {
            TriggerKind = TriggerKind.TagAdded;
            TriggerTag = "demo-request";
        }

        [Required(ErrorMessage = "Give the workflow a name.")]
        [StringLength(Workflow.MaxNameLength)]
        public string? Name { get; set; }
    }
}
