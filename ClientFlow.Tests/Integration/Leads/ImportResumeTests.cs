using System.Data.Common;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Leads.Import;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Leads;

/// <summary>
/// An import job that stops mid-file resumes where its stored progress says. That is exact only if a batch's progress
/// commits with the batch's leads: progress saved after them could be lost while the leads stay, and the job run again
/// would count those rows as leads that already existed.
/// </summary>
public sealed class ImportResumeTests(ImportResumeTests.App fixture) : IClassFixture<ImportResumeTests.App>
{
    private readonly ClientFlowAppFactory _app = fixture.App;

    [Fact]
    public async Task ABatchWhoseProgressFailsToSave_KeepsNoneOfItsLeads_SoTheJobRunAgainImportsEachRowOnce()
    {
        var ib = await _app.SeedIbAsync("resume@import.test", "Resume IB");
        await _app.SetMaxLeadsAsync(ib.TenantId, 10_000);
        const int rows = LeadImporter.BatchSize + 500;
        var csv = "email,name\n" + string.Join('\n', Enumerable.Range(0, rows).Select(i => $"resume{i}@example.com,Person {i}"));
        var importId = await _app.AddImportAsync(ib.TenantId, "resume.csv", csv);

        // The import's first write marks it running; its second is the first batch's progress, which fails.
        fixture.Failure.FailWrite(2);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => _app.RunImportAsync(ib.TenantId, importId));
        Assert.Contains(FailingProgressWrite.Message, error.ToString(), StringComparison.Ordinal);
        var stopped = await ImportAsync(ib.TenantId, importId);
        Assert.Equal((LeadImportStatus.Running, 0, 0), (stopped.Status, stopped.ProcessedRows, stopped.ImportedRows));
        Assert.Empty(await _app.LeadsOfAsync(ib.TenantId));

        // Run again (as Hangfire retries the job): every row is imported once, none counted as already there.
        await _app.RunImportAsync(ib.TenantId, importId);
        var done = await ImportAsync(ib.TenantId, importId);
        Assert.Equal((LeadImportStatus.Completed, rows, rows, 0, 0), (done.Status, done.ProcessedRows, done.ImportedRows, done.ExistingRows, done.RejectedRows));
        Assert.Equal(rows, (await _app.LeadsOfAsync(ib.TenantId)).Count);
    }

    private Task<LeadImport> ImportAsync(Guid tenantId, Guid importId) =>
        _app.AsTenantAsync(tenantId, db => db.LeadImports.AsNoTracking().SingleAsync(i => i.Id == importId, TestContext.Current.CancellationToken));

    /// <summary>The app on a SQLite file of its own, with a command interceptor that can fail the import's progress write.</summary>
    public sealed class App : AppOnDatabase<SqliteTestDatabase>
    {
        public FailingProgressWrite Failure { get; } = new();

        protected override void ConfigureServices(IServiceCollection services) =>
            services.ConfigureDbContext<SqliteClientFlowDbContext>(o => o.AddInterceptors(Failure));
    }

    /// <summary>Fails the import row's n-th update from the moment it is armed.</summary>
    public sealed class FailingProgressWrite : DbCommandInterceptor
    {
        public const string Message = "The import's progress could not be saved (injected by the test).";

        private int _writesToFail;

        public void FailWrite(int ordinal) => Volatile.Write(ref _writesToFail, ordinal);

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Contains("UPDATE \"LeadImports\"", StringComparison.Ordinal) && Volatile.Read(ref _writesToFail) > 0
                && Interlocked.Decrement(ref _writesToFail) == 0)
            {
                throw new InvalidOperationException(Message);
            }

            return ValueTask.FromResult(result);
        }
    }
}
