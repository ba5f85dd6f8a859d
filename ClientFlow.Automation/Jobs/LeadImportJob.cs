using ClientFlow.Automation.Leads.Import;
using ClientFlow.Automation.Tenancy;
using Hangfire;

namespace ClientFlow.Automation.Jobs;

/// <summary>Thin Hangfire job: enter the tenant, run one CSV import (it resumes where it stopped).</summary>
public sealed class LeadImportJob(TenantScope tenantScope, LeadImporter importer)
{
    [Queue(JobQueues.Import)]
    [AutomaticRetry(Attempts = 3)]
    [JobDisplayName("Import leads from CSV (import {1})")]
    public async Task RunAsync(Guid tenantId, Guid importId, CancellationToken cancellationToken)
    {
        using (tenantScope.Enter(tenantId))
        {
            await importer.RunAsync(importId, cancellationToken);
        }
    }
}
