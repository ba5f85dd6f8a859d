using System.ComponentModel.DataAnnotations;
using ClientFlow.Automation.Counters;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Leads.Import;
using ClientFlow.Web.Pages.Forms;
using ClientFlow.Web.Tenancy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Web.Pages.Leads;

/// <summary>The IB's leads: stats, search and filters, paging, bulk enrolment in a workflow, manual add and CSV import.</summary>
public sealed class IndexModel(ClientFlowDbContext db, LeadCapture capture, LeadImports imports, Enrolments enrolments, TimeProvider clock) : PageModel
{
    public const int PageSize = 25;

    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Query { get; set; }

    [BindProperty(SupportsGet = true, Name = "status")]
    public LeadStatus? Status { get; set; }

    [BindProperty(SupportsGet = true, Name = "tag")]
    public string? Tag { get; set; }

    /// <summary>
    /// Keyset paging: the page shows the leads just older than <see cref="Older"/> (or just newer than
    /// <see cref="Newer"/>), each a <see cref="LeadCursor"/> of the row at the edge of the page before. A page costs
    /// one index range however deep it is, where OFFSET stepped over every lead before it.
    /// </summary>
    [BindProperty(SupportsGet = true, Name = "older")]
    public string? Older { get; set; }

    [BindProperty(SupportsGet = true, Name = "newer")]
    public string? Newer { get; set; }

    [BindProperty]
    public FormInput Input { get; set; } = new();

    [BindProperty]
    public EnrolInput Enrol { get; set; } = new();

    /// <summary>The leads ticked for bulk enrolment: one checkbox per row, all named <c>SelectedIds</c>.</summary>
    [BindProperty]
    public List<Guid> SelectedIds { get; set; } = [];

    /// <summary>Workflows a lead can be enrolled in now: ON, and so published.</summary>
    public IReadOnlyList<WorkflowOption> EnrolableWorkflows { get; private set; } = [];

    public IReadOnlyList<Lead> Leads { get; private set; } = [];

    public int MatchingCount { get; private set; }

    /// <summary>The cursor of the newer page (null on the newest page) and of the older one (null on the oldest).</summary>
    public string? NewerCursor { get; private set; }

    public string? OlderCursor { get; private set; }

    public LeadStats Stats { get; private set; } = new(0, 0, 0);

    public IReadOnlyList<string> TagSlugs { get; private set; } = [];

    public IReadOnlyList<LeadImport> RecentImports { get; private set; } = [];

    public bool ShowAddForm { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostAddAsync(CancellationToken cancellationToken)
    {
        var result = await capture.CaptureAsync(User.GetTenantId()!.Value, Input.ToLeadInput(), LeadSource.Manual, cancellationToken);
        if (result.Succeeded)
        {
            TempData["Flash"] = result.Status == CaptureStatus.Created ? $"Added {result.Lead!.Email}." : $"{result.Lead!.Email} was already one of your leads.";
            return RedirectToPage("/Leads/Details", new { id = result.Lead.Id });
        }

        ModelState.Clear();
        foreach (var (field, messages) in result.Errors)
        {
            ModelState.AddModelError($"{nameof(Input)}.{FormInput.FieldFor(field)}", string.Join(" ", messages));
        }

        if (result.Status != CaptureStatus.Invalid)
        {
            ModelState.AddModelError(string.Empty, result.Refusal!);
        }

        ShowAddForm = true;
        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostEnrolAsync(CancellationToken cancellationToken)
    {
        var workflow = await EnrolableWorkflowAsync(db, Enrol.WorkflowId, ModelState, $"{nameof(Enrol)}.{nameof(EnrolInput.WorkflowId)}", cancellationToken);
        var ids = SelectedIds.Distinct().ToList();
        if (ids.Count == 0)
        {
            ModelState.AddModelError(nameof(SelectedIds), "Select at least one lead to enrol.");
        }

        if (workflow is null || !ModelState.IsValid)
        {
            await LoadAsync(cancellationToken);
            return Page();
        }

        // Another tenant's id matches no lead (the tenant filter), so it is counted in M but never enrolled.
        var started = await enrolments.EnrolByHandAsync(workflow.Id, ids, cancellationToken);
        TempData["Flash"] = $"Enrolled {started} of {ids.Count} leads in {workflow.Name}."
            + (started < ids.Count ? " Leads already enrolled or unsubscribed were skipped." : string.Empty);
        return RedirectToPage(new { q = Query, status = Status, tag = Tag, older = Older, newer = Newer });
    }

    /// <summary>Every lead's consent evidence, oldest first, streamed a page at a time: <c>?handler=Consent&amp;format=csv</c> (the default) or <c>json</c>.</summary>
    public async Task<IActionResult> OnGetConsentAsync(string? format, [FromServices] ConsentRecords consents, CancellationToken cancellationToken)
    {
        var json = string.Equals(format, "json", StringComparison.OrdinalIgnoreCase);
        Response.Headers.CacheControl = "no-store";
        Response.ContentType = json ? "application/json" : "text/csv; charset=utf-8";
        Response.Headers.ContentDisposition = $"attachment; filename=\"consent.{(json ? "json" : "csv")}\"";
        if (json)
        {
            await System.Text.Json.JsonSerializer.SerializeAsync(Response.Body, Flatten(consents.AllAsync(cancellationToken)), cancellationToken: cancellationToken);
            return new EmptyResult();
        }

        var header = true;
        await foreach (var page in consents.AllAsync(cancellationToken))
        {
            await Response.WriteAsync(ConsentRecords.ToCsv(page, header), cancellationToken);
            header = false;
        }

        if (header)
        {
            await Response.WriteAsync(ConsentRecords.ToCsv([], header: true), cancellationToken);
        }

        return new EmptyResult();

        static async IAsyncEnumerable<ConsentRecord> Flatten(IAsyncEnumerable<IReadOnlyList<ConsentRecord>> pages)
        {
            await foreach (var page in pages)
            {
                foreach (var record in page)
                {
                    yield return record;
                }
            }
        }
    }

    public async Task<IActionResult> OnPostImportAsync(IFormFile? file, string? consentBasis, CancellationToken cancellationToken)
    {
        consentBasis = consentBasis?.Trim();
        if (string.IsNullOrEmpty(consentBasis))
        {
            ModelState.AddModelError(nameof(consentBasis), "Say how these people agreed to hear from you: it is kept with each lead as its consent evidence.");
        }
        else if (consentBasis.Length > LeadImports.MaxConsentBasisLength)
        {
            ModelState.AddModelError(nameof(consentBasis), $"At most {LeadImports.MaxConsentBasisLength} characters.");
        }

        if (file is null || file.Length == 0)
        {
            ModelState.AddModelError("file", "Choose a CSV file to import.");
        }
        else if (file.Length > LeadImports.MaxFileBytes)
        {
            ModelState.AddModelError("file", $"The file is larger than {LeadImports.MaxFileBytes / (1024 * 1024)} MB.");
        }

        if (!ModelState.IsValid)
        {
            await LoadAsync(cancellationToken);
            return Page();
        }

        using var buffer = new MemoryStream();
        await file!.CopyToAsync(buffer, cancellationToken);
        var import = await imports.StartAsync(User.GetTenantId()!.Value, file.FileName, buffer.ToArray(), consentBasis!, cancellationToken);
        return RedirectToPage("/Leads/Import", new { id = import.Id });
    }

    /// <summary>
    /// The ON workflow with this id, or null after adding a field error under <paramref name="key"/>.
    /// Shared with the lead's own page: a workflow that is OFF, unpublished or another IB's is refused alike.
    /// </summary>
    internal static async Task<WorkflowOption?> EnrolableWorkflowAsync(
        ClientFlowDbContext db, Guid? workflowId, ModelStateDictionary modelState, string key, CancellationToken cancellationToken)
    {
        if (modelState.GetFieldValidationState(key) == ModelValidationState.Invalid)
        {
            return null; // a value that is not an id: model binding said so already
        }

        if (workflowId is not { } id)
        {
            modelState.AddModelError(key, "Choose a workflow.");
            return null;
        }

        var workflow = await EnrolableWorkflowsQuery(db, id).SingleOrDefaultAsync(cancellationToken);
        if (workflow is null)
        {
            modelState.AddModelError(key, "Choose one of your workflows that is ON.");
        }

        return workflow;
    }

    internal static IQueryable<WorkflowOption> EnrolableWorkflowsQuery(ClientFlowDbContext db, Guid? id = null) =>
        db.Workflows.AsNoTracking()
            .Where(w => w.IsOn && w.PublishedVersionId != null && (id == null || w.Id == id))
            .OrderBy(w => w.Name)
            .Select(w => new WorkflowOption(w.Id, w.Name));

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        EnrolableWorkflows = await EnrolableWorkflowsQuery(db).ToListAsync(cancellationToken);
        var counters = await db.CountersAsync(cancellationToken);
        Stats = new LeadStats(
            counters.Of(TenantCounterTriggers.Leads),
            counters.Of(TenantCounterTriggers.LeadsCreatedIn(clock.GetUtcNow())),
            counters.Of(TenantCounterTriggers.LeadsConverted));
        TagSlugs = await db.TagSlugsAsync(cancellationToken);

        var leads = (string.IsNullOrWhiteSpace(Query) ? db.Leads : db.LeadsMatching(Query)).AsNoTracking();

        if (Status is { } status)
        {
            leads = leads.Where(l => l.Status == status);
        }

        if (!string.IsNullOrWhiteSpace(Tag))
        {
            leads = leads.Where(l => l.Tags.Any(t => t.Slug == Tag));
        }

        // Unfiltered, the matching leads are all of them: the counter has that number. A first page with no page after it
        // holds every match (a search for one person, usually): no second pass over the matches to count them.
        await LoadPageAsync(leads, cancellationToken);
        MatchingCount = string.IsNullOrWhiteSpace(Query) && Status is null && string.IsNullOrWhiteSpace(Tag) ? Stats.Total
            : Older is null && Newer is null && OlderCursor is null ? Leads.Count
            : await leads.CountAsync(cancellationToken);
        RecentImports = await db.LeadImports.AsNoTracking().OrderByDescending(i => i.CreatedAt).Take(5)
            .Select(i => new LeadImport
            {
                Id = i.Id, FileName = i.FileName, Status = i.Status, CreatedAt = i.CreatedAt,
                ImportedRows = i.ImportedRows, RejectedRows = i.RejectedRows, ExistingRows = i.ExistingRows,
            })
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// One page in the list's order (newest first, then by email, which is unique per IB), read from the (tenant,
    /// created) index from the cursor on, one row more than a page to know whether there is a page beyond. The cursor's
    /// time is also given as a bound of its own (<c>&lt;=</c> or <c>&gt;=</c>): inside the OR, PostgreSQL cannot start the
    /// index range at the cursor and stepped over every newer lead first (50,000 at the middle of 100,000).
    /// </summary>
    private async Task LoadPageAsync(IQueryable<Lead> leads, CancellationToken cancellationToken)
    {
#pragma warning disable CA1309 // Translated to SQL comparisons in the database's collation, as the ORDER BY is.
        if (LeadCursor.TryParse(Newer, out var newer))
        {
            var page = await leads
                .Where(l => l.CreatedAt >= newer.CreatedAt)
                .Where(l => l.CreatedAt > newer.CreatedAt || (l.CreatedAt == newer.CreatedAt && string.Compare(l.Email, newer.Email) < 0))
                .OrderBy(l => l.CreatedAt).ThenByDescending(l => l.Email)
                .Take(PageSize + 1)
                .ToListAsync(cancellationToken);
            Leads = page.Take(PageSize).Reverse().ToList();
            NewerCursor = page.Count > PageSize ? LeadCursor.Of(Leads[0]) : null;
            OlderCursor = Leads.Count > 0 ? LeadCursor.Of(Leads[^1]) : null;
            return;
        }

        var query = leads;
        if (LeadCursor.TryParse(Older, out var older))
        {
            query = query.Where(l => l.CreatedAt <= older.CreatedAt)
                .Where(l => l.CreatedAt < older.CreatedAt || (l.CreatedAt == older.CreatedAt && string.Compare(l.Email, older.Email) > 0));
        }
#pragma warning restore CA1309

        var rows = await query.OrderByDescending(l => l.CreatedAt).ThenBy(l => l.Email).Take(PageSize + 1).ToListAsync(cancellationToken);
        Leads = rows.Take(PageSize).ToList();
        NewerCursor = Older is not null && Leads.Count > 0 ? LeadCursor.Of(Leads[0]) : null;
        OlderCursor = rows.Count > PageSize ? LeadCursor.Of(Leads[^1]) : null;
    }

    public sealed record LeadStats(int Total, int ThisMonth, int Converted);

    /// <summary>A position in the list: a lead's creation time and email, as <c>{ticks}~{email}</c> in the URL.</summary>
    public readonly record struct LeadCursor(DateTimeOffset CreatedAt, string Email)
    {
        public static string Of(Lead lead) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{lead.CreatedAt.UtcTicks}~{lead.Email}");

        public static bool TryParse(string? value, out LeadCursor cursor)
        {
            cursor = default;
            var separator = value?.IndexOf('~', StringComparison.Ordinal) ?? -1;
            if (separator <= 0 || !long.TryParse(value.AsSpan(0, separator), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks)
                || ticks > DateTimeOffset.MaxValue.UtcTicks)
            {
                return false;
            }

            cursor = new LeadCursor(new DateTimeOffset(ticks, TimeSpan.Zero), value![(separator + 1)..]);
            return true;
        }
    }

    public sealed record WorkflowOption(Guid Id, string Name);

    /// <summary>The bulk enrolment form; the leads are <see cref="SelectedIds"/>.</summary>
    public sealed class EnrolInput
    {
        [Display(Name = "Workflow")]
        public Guid? WorkflowId { get; set; }
    }
}
