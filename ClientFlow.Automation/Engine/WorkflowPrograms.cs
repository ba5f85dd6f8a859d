using ClientFlow.Automation.Data;
using ClientFlow.Automation.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace ClientFlow.Automation.Engine;

/// <summary>
/// The compiled programs of published versions, kept by version id for the process. A version never changes once
/// published (DESIGN.md), so a run's step no longer reads its definition and compiles it again each time: at 100,000
/// runs of one workflow that was a query and a parse per step. The id always comes from a run read under the tenant's
/// filter (and on PostgreSQL its policy), so a program is reached only through a run of its own tenant.
/// </summary>
public sealed class WorkflowPrograms : IDisposable
{
    /// <summary>Versions kept at most; the least recently used go first.</summary>
    public const int Capacity = 2_000;

    private readonly MemoryCache _programs = new(new MemoryCacheOptions { SizeLimit = Capacity });

    public async Task<WorkflowProgram> GetAsync(ClientFlowDbContext db, Guid versionId, CancellationToken cancellationToken)
    {
        if (_programs.TryGetValue(versionId, out WorkflowProgram? kept) && kept is not null)
        {
            return kept;
        }

        var json = await db.WorkflowVersions.AsNoTracking().Where(v => v.Id == versionId).Select(v => v.DefinitionJson).SingleAsync(cancellationToken);
        var program = WorkflowProgram.Compile(WorkflowDefinition.FromJson(json));
        _programs.Set(versionId, program, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromHours(6) });
        return program;
    }

    public void Dispose() => _programs.Dispose();
}
