using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using ClientFlow.Automation.Conversions;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Web.Pages.Workflows;

/// <summary>
/// The workflow editor: trigger, the step tree (add, remove, move, branches), publish, ON/OFF and the
/// latest runs. Every change edits the draft; runs only ever see published versions.
/// </summary>
public sealed class EditModel(ClientFlowDbContext db, WorkflowEditor editor, ConversionReport report) : PageModel
{
    public Workflow Workflow { get; private set; } = null!;

    public WorkflowDefinition Draft { get; private set; } = WorkflowDefinition.Empty;

    public IReadOnlyDictionary<Guid, string> TemplateNames { get; private set; } = new Dictionary<Guid, string>();

    /// <summary>Every list a step can be added to: path and words.</summary>
    public IReadOnlyList<(string Path, string Text)> Places { get; private set; } = [];

    public IReadOnlyList<RunRow> Runs { get; private set; } = [];

    /// <summary>
    /// The published version's figures by step path, for the draft's steps that are still that step (an edited or moved
    /// step shows none until it is published and run).
    /// </summary>
    public IReadOnlyDictionary<string, StepFigures> Figures { get; private set; } = new Dictionary<string, StepFigures>();

    public IReadOnlyList<string> Problems { get; private set; } = [];

    /// <summary>Publishing was refused only for the claims its emails make: the page offers to acknowledge them.</summary>
    public bool ClaimsToAcknowledge => Problems.Count == 1 && Problems[0].StartsWith(WorkflowEditor.ClaimsProblem, StringComparison.Ordinal);

    [TempData]
    public string? StatusMessage { get; set; }

    [BindProperty]
    public StepInput Step { get; set; } = new();

    [BindProperty]
    public SettingsInput Settings { get; set; } = new();

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        Settings = new SettingsInput { Name = Workflow.Name, AllowReentry = Workflow.AllowReentry };
        Settings.From(Draft.Trigger);
        return Page();
    }

    public async Task<IActionResult> OnPostSettingsAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        ModelState.Clear();
        if (string.IsNullOrWhiteSpace(Settings.Name) || Settings.Name.Trim().Length > Workflow.MaxNameLength)
        {
            ModelState.AddModelError("Settings.Name", $"Give the workflow a name of at most {Workflow.MaxNameLength} characters.");
        }

        Settings.Validate(ModelState, nameof(Settings));

        if (!ModelState.IsValid)
        {
            return Page();
        }

        await editor.RenameAsync(Workflow, Settings.Name, Settings.AllowReentry, cancellationToken);
        var trigger = Settings.ToTrigger();
        if (trigger != Draft.Trigger)
        {
            await editor.SaveDraftAsync(Workflow, Draft with { Trigger = trigger }, cancellationToken);
        }

        StatusMessage = "Saved.";
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostAddStepAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        ModelState.Clear();
        var (step, field, error) = Step.ToStep();
        if (step is null)
        {
            ModelState.AddModelError($"Step.{field}", error!);
            return Page();
        }

        try
        {
            var steps = StepPath.Insert(Draft.Steps, Step.ListPath ?? string.Empty, int.MaxValue, step);
            await editor.SaveDraftAsync(Workflow, Draft with { Steps = steps }, cancellationToken);
        }
        catch (FormatException)
        {
            ModelState.AddModelError("Step.ListPath", "That place no longer exists; pick another.");
            return Page();
        }

        StatusMessage = $"Added: {StepText.Describe(step, TemplateNames)}.";
        return RedirectToPage(new { id });
    }

    public Task<IActionResult> OnPostRemoveAsync(Guid id, string path, CancellationToken cancellationToken) =>
        EditStepsAsync(id, steps => StepPath.Remove(steps, path), "Step removed.", cancellationToken);

    public Task<IActionResult> OnPostMoveAsync(Guid id, string path, int delta, CancellationToken cancellationToken) =>
        EditStepsAsync(id, steps => StepPath.Move(steps, path, Math.Sign(delta)), null, cancellationToken);

    public async Task<IActionResult> OnPostPublishAsync(Guid id, bool claimsAcknowledged, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        Problems = await editor.PublishAsync(Workflow, claimsAcknowledged, User.FindFirstValue(ClaimTypes.NameIdentifier), cancellationToken);
        if (Problems.Count > 0)
        {
            return Page();
        }

        StatusMessage = $"Published version {Workflow.PublishedVersionNumber}. New enrolments use it; runs in progress finish on theirs.";
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostToggleAsync(Guid id, bool on, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        StatusMessage = await editor.SetOnAsync(Workflow, on, cancellationToken)
            ?? (on ? "ON: enrolling leads, paused runs resume." : "OFF: no new enrolments, runs in progress are paused.");
        return RedirectToPage(new { id });
    }

    private async Task<IActionResult> EditStepsAsync(Guid id, Func<IReadOnlyList<WorkflowStep>, IReadOnlyList<WorkflowStep>> edit, string? message, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        try
        {
            await editor.SaveDraftAsync(Workflow, Draft with { Steps = edit(Draft.Steps) }, cancellationToken);
            StatusMessage = message;
        }
        catch (FormatException)
        {
            StatusMessage = "That step no longer exists.";
        }

        return RedirectToPage(new { id });
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        var workflow = await editor.FindAsync(id, cancellationToken);
        if (workflow is null)
        {
            return false;
        }

        Workflow = workflow;
        Draft = workflow.Draft;
        TemplateNames = await editor.TemplateNamesAsync(cancellationToken);
        var places = new List<(string, string)> { (string.Empty, "At the end") };
        AddPlaces(places, Draft.Steps, string.Empty);
        Places = places;

        Runs = await db.WorkflowRuns.AsNoTracking()
            .Where(r => r.WorkflowId == id)
            .OrderByDescending(r => r.StartedAt)
            .Take(20)
            .Join(db.Leads, r => r.LeadId, l => l.Id, (r, l) => new { Run = r, l.Email })
            .Join(db.WorkflowVersions, x => x.Run.VersionId, v => v.Id, (x, v) => new RunRow(x.Run, x.Email, v.Number))
            .ToListAsync(cancellationToken);
        return true;
    }

    /// <summary>The step figures, read only for a page that is shown (not for a post that redirects).</summary>
    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var executed = await next();
        if (executed.Result is PageResult && executed.Exception is null)
        {
            var draft = WorkflowProgram.Compile(Draft);
            Figures = (await report.StepsAsync(Workflow, HttpContext.RequestAborted))
                .Where(f => draft.Paths.TryGetValue(f.Key, out var index)
                    && StepText.Describe(draft[index].Step, TemplateNames) == StepText.Describe(f.Value.Step, TemplateNames))
                .ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        }
    }

    private void AddPlaces(List<(string, string)> places, IReadOnlyList<WorkflowStep> steps, string prefix)
    {
        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i] is ConditionStep condition)
            {
                var path = $"{prefix}{i}";
                var text = StepText.Describe(condition, TemplateNames);
                places.Add(($"{path}/then", $"{text}: then"));
                AddPlaces(places, condition.Then, $"{path}/then/");
                places.Add(($"{path}/else", $"{text}: else"));
                AddPlaces(places, condition.Else, $"{path}/else/");
            }
        }
    }

    public sealed record RunRow(WorkflowRun Run, string LeadEmail, int Version);

    public sealed class SettingsInput : TriggerFields
    {
        [Display(Name = "Name")]
        public string? Name { get; set; }

        [Display(Name = "Let a lead go through again after finishing")]
        public bool AllowReentry { get; set; }
    }
}
