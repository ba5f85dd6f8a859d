using ClientFlow.Automation.Data;
using ClientFlow.Automation.Jobs;
using ClientFlow.Automation.Tenancy;
using Hangfire;

namespace ClientFlow.Automation.Leads.Import;

/// <summary>Starts CSV imports: the file is stored with the import row, then a background job reads it.</summary>
public sealed class LeadImports(ClientFlowDbContext db, TenantScope tenantScope, IBackgroundJobClient jobs, TimeProvider clock)
{
    public const int MaxFileBytes = 32 * 1024 * 1024;
    public const int MaxConsentBasisLength = 500;

    /// <param name="consentBasis">How the IB says these people agreed to hear from it: the consent evidence of every lead the import creates.</param>
    public async Task<LeadImport> StartAsync(Guid tenantId, string fileName, byte[] content, string consentBasis, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(consentBasis);
        using var scope = tenantScope.Enter(tenantId);
        var import = new LeadImport { FileName = Path.GetFileName(fileName), Content = content, ConsentBasis = consentBasis.Trim(), CreatedAt = clock.GetUtcNow() };
        db.LeadImports.Add(import);
        await db.SaveChangesAsync(cancellationToken);
        jobs.Enqueue<LeadImportJob>(j => j.RunAsync(tenantId, import.Id, CancellationToken.None));
        return import;
    }
}
