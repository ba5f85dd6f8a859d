using ClientFlow.Automation.Data;
using ClientFlow.Automation.Leads.Import;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Web.Pages.Leads;

public sealed class ImportModel(ClientFlowDbContext db) : PageModel
{
    public const int RejectionsShown = 500;

    public LeadImport Import { get; private set; } = null!;

    public IReadOnlyList<LeadImportRejection> Rejections { get; private set; } = [];

    public bool InProgress => Import.Status is LeadImportStatus.Queued or LeadImportStatus.Running;

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        var import = await db.LeadImports.AsNoTracking()
            .Where(i => i.Id == id)
            .Select(i => new LeadImport
            {
                Id = i.Id, FileName = i.FileName, Status = i.Status, TotalRows = i.TotalRows, ProcessedRows = i.ProcessedRows,
                ImportedRows = i.ImportedRows, ExistingRows = i.ExistingRows, RejectedRows = i.RejectedRows, Error = i.Error,
                CreatedAt = i.CreatedAt, CompletedAt = i.CompletedAt,
            })
            .SingleOrDefaultAsync(cancellationToken);
        if (import is null)
        {
            return NotFound();
        }

        Import = import;
        Rejections = await db.LeadImportRejections.AsNoTracking().Where(r => r.ImportId == id).OrderBy(r => r.Line).Take(RejectionsShown).ToListAsync(cancellationToken);
        return Page();
    }
}
