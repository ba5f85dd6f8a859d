using ClientFlow.Automation.Data;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Bench;

/// <summary>
/// The data behind the page figures, written through the app's own DbContext (tenant scope, tenant filter and, on
/// PostgreSQL, row-level security as the app has them) in bulk: leads with their capture tags spread over four
/// months, and for the measured IB the runs of John's two workflows and the emails they sent.
/// </summary>
public static class PageData
{
    private const int Chunk = 2_000;
    private static readonly string[] Types = ["forex-ib", "crypto-affiliate", "stock-broker", "multi-asset"];
    private static readonly string[] Volumes = ["high-volume", "medium-volume", "low-volume"];
    private static readonly LeadStatus[] Statuses = [LeadStatus.New, LeadStatus.Nurturing, LeadStatus.Nurturing, LeadStatus.Engaged, LeadStatus.Converted];

    public static async Task SeedLeadsAsync(BenchApp app, Guid tenantId, string domain, int count, CancellationToken cancellationToken)
    {
        var now = TimeProvider.System.GetUtcNow();
        for (var start = 0; start < count; start += Chunk)
        {
            await using var scope = app.Services.CreateAsyncScope();
            using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(tenantId))
            {
                var db = scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>();
                db.ChangeTracker.AutoDetectChangesEnabled = false;
                for (var i = start; i < Math.Min(count, start + Chunk); i++)
                {
                    var created = now - TimeSpan.FromMinutes(i % (120 * 24 * 60));
                    var lead = new Lead
                    {
                        Email = $"lead{i}@{domain}",
                        Name = $"Lead {i}",
                        IbType = Types[i % Types.Length],
                        MonthlyLeads = i % 3 == 0 ? "500+" : "100-499",
                        Status = Statuses[i % Statuses.Length],
                        Source = LeadSource.Import,
                        SyncState = LeadSyncState.Synced,
                        SystemeContactId = 1_000_000L + i,
                        CreatedAt = created,
                    };
                    lead.Tags.Add(new LeadTag { Slug = "demo-request", AddedAt = created });
                    lead.Tags.Add(new LeadTag { Slug = Types[i % Types.Length], AddedAt = created });
                    lead.Tags.Add(new LeadTag { Slug = lead.Status == LeadStatus.Converted ? CaptureTags.Converted : Volumes[i % Volumes.Length], AddedAt = created });
                    db.Leads.Add(lead);
                }

                await db.SaveChangesAsync(cancellationToken);
            }
        }
    }

    /// <summary>For every lead of the IB, a run in each of its workflows (a third still waiting) and one sent email.</summary>
    public static async Task SeedHistoryAsync(BenchApp app, Guid tenantId, CancellationToken cancellationToken)
    {
        var workflows = await app.AsTenantAsync(tenantId, db => db.Workflows.Where(w => w.PublishedVersionId != null).Select(w => new { w.Id, VersionId = w.PublishedVersionId!.Value }).ToListAsync(cancellationToken));
        var leadIds = await app.AsTenantAsync(tenantId, db => db.Leads.OrderBy(l => l.Id).Select(l => new { l.Id, l.Email, l.CreatedAt }).ToListAsync(cancellationToken));
        for (var start = 0; start < leadIds.Count; start += Chunk)
        {
            await using var scope = app.Services.CreateAsyncScope();
            using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(tenantId))
            {
                var db = scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>();
                db.ChangeTracker.AutoDetectChangesEnabled = false;
                foreach (var (lead, i) in leadIds.Skip(start).Take(Chunk).Select((l, i) => (l, start + i)))
                {
                    foreach (var workflow in workflows)
                    {
                        var waiting = i % 3 == 0;
                        db.WorkflowRuns.Add(new WorkflowRun
                        {
                            WorkflowId = workflow.Id,
                            VersionId = workflow.VersionId,
                            LeadId = lead.Id,
                            Status = waiting ? RunStatus.Waiting : RunStatus.Completed,
                            NextStep = waiting ? 2 : null,
                            DueAt = lead.CreatedAt + TimeSpan.FromDays(400),
                            EnrolmentKey = $"{workflow.Id:N}:{lead.Id:N}",
                            StartedAt = lead.CreatedAt,
                            FinishedAt = waiting ? null : lead.CreatedAt + TimeSpan.FromMinutes(5),
                        });
                    }

                    db.EmailMessages.Add(new EmailMessage
                    {
                        LeadId = lead.Id,
                        Token = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()),
                        To = lead.Email,
                        Subject = "Welcome to John's Forex Trading Program",
                        HtmlBody = "<p>Thanks for requesting a demo.</p>",
                        Status = EmailStatus.Sent,
                        CreatedAt = lead.CreatedAt + TimeSpan.FromMinutes(5),
                        SentAt = lead.CreatedAt + TimeSpan.FromMinutes(5),
                    });
                }

                await db.SaveChangesAsync(cancellationToken);
            }
        }
    }
}
