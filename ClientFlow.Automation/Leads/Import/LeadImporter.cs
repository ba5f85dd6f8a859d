using ClientFlow.Automation.Data;
using ClientFlow.Automation.Diagnostics;
using ClientFlow.Automation.Engine;
using Microsoft.EntityFrameworkCore;
using nietras.SeparatedValues;

namespace ClientFlow.Automation.Leads.Import;

/// <summary>
/// Reads an uploaded CSV in batches: each row is validated like any capture, valid rows go through
/// <see cref="LeadCapture"/> (limit and policy included), and every rejected row is stored with its
/// line and reason. Progress is saved after each batch, and a restarted job resumes after the last one. The runs the rows
/// start are handed to the engine when the rows are stored (<see cref="AfterCommit.HoldRuns"/>).
/// </summary>
public sealed class LeadImporter(ClientFlowDbContext db, LeadCapture capture, AfterCommit afterCommit, ClientFlowMetrics metrics, TimeProvider clock)
{
    public const int BatchSize = 1000;
    public const int MaxRejectionsKept = 10_000;

    private static readonly string[] Columns = ["email", "name", "phone", "ib_type", "monthly_leads", "broker_network"];

    /// <summary>Runs inside the import's tenant scope.</summary>
    public async Task RunAsync(Guid importId, CancellationToken cancellationToken)
    {
        var import = await db.LeadImports.SingleOrDefaultAsync(i => i.Id == importId, cancellationToken);
        if (import is null || import.Status is LeadImportStatus.Completed or LeadImportStatus.Failed || import.Content is null)
        {
            return;
        }

        // The runs the rows start go to the engine once the rows are stored (or have waited half a lease), even when the
        // import stops on an error: their first steps would otherwise share the machine with the rows still to store.
        afterCommit.HoldRuns($"started by the import of {import.FileName}");
        try
        {
            await ImportAsync(import, cancellationToken);
        }
        finally
        {
            afterCommit.ReleaseHeldRuns();
        }
    }

    private async Task ImportAsync(LeadImport import, CancellationToken cancellationToken)
    {
        var content = import.Content!;
        import.Status = LeadImportStatus.Running;
        import.TotalRows ??= CountRows(content);
        await db.SaveChangesAsync(cancellationToken);

        using var reader = OpenReader(content);
        var columns = ColumnIndexes(reader.Header);
        if (columns["email"] < 0)
        {
            await FinishAsync(import, "The file has no header row with an 'email' column.", cancellationToken);
            return;
        }

        // Rows come out of the parser one batch at a time (Sep's rows are spans over its buffer, read between awaits).
        using var rows = reader.Enumerate(row => new CsvRecord(row.LineNumberFrom, IsBlank(row) ? null : Read(row, columns)))
            .Where(r => r.Input is not null)
            .Skip(import.ProcessedRows)
            .GetEnumerator();
        var batch = new List<(int Line, LeadInput Input)>(BatchSize);
        while (rows.MoveNext())
        {
            batch.Add((rows.Current.Line, rows.Current.Input!));
            if (batch.Count == BatchSize)
            {
                await ImportBatchAsync(import, batch, cancellationToken);
                batch.Clear();
            }
        }

        await ImportBatchAsync(import, batch, cancellationToken);
        await FinishAsync(import, null, cancellationToken);
    }

    private async Task ImportBatchAsync(LeadImport import, List<(int Line, LeadInput Input)> batch, CancellationToken cancellationToken)
    {
        var (imported, existing, rejected) = (import.ImportedRows, import.ExistingRows, import.RejectedRows);
        var valid = new List<(int Line, LeadInput Input)>();
        foreach (var (line, raw) in batch)
        {
            var input = LeadInputRules.Normalize(raw);
            var errors = LeadInputRules.Validate(input);
            if (errors.Count == 0)
            {
                valid.Add((line, input));
            }
            else
            {
                Reject(import, line, input.Email, string.Join(" ", errors.SelectMany(e => e.Value)));
            }
        }

        import.ProcessedRows += batch.Count;
        if (valid.Count > 0)
        {
            // The batch's counts and rejections commit with its leads: a job resumed after a crash skips exactly the
            // rows stored, and the batch costs one transaction.
            await capture.CaptureValidAsync(
                import.TenantId, valid.Select(v => v.Input).ToList(), LeadSource.Import, syncNow: false, cancellationToken,
                origin: new CaptureOrigin(ImportId: import.Id), beforeCommit: results => Count(import, valid, results));
        }
        else
        {
            await db.SaveChangesAsync(cancellationToken);
        }

        metrics.RecordImportRows(import.ImportedRows - imported, import.ExistingRows - existing, import.RejectedRows - rejected);
        db.ChangeTracker.Clear();
        db.Attach(import);
    }

    private void Count(LeadImport import, List<(int Line, LeadInput Input)> valid, IReadOnlyList<CaptureResult> results)
    {
        for (var i = 0; i < results.Count; i++)
        {
            switch (results[i].Status)
            {
                case CaptureStatus.Created:
                    import.ImportedRows++;
                    break;
                case CaptureStatus.Existing:
                    import.ExistingRows++;
                    break;
                default:
                    Reject(import, valid[i].Line, valid[i].Input.Email, results[i].Refusal!);
                    break;
            }
        }
    }

    private void Reject(LeadImport import, int line, string? email, string reason)
    {
        import.RejectedRows++;
        if (import.RejectedRows <= MaxRejectionsKept)
        {
            db.LeadImportRejections.Add(new LeadImportRejection
            {
                ImportId = import.Id,
                Line = line,
                Email = email is { Length: <= 320 } ? email : email?[..320],
                Reason = reason.Length > 500 ? reason[..500] : reason,
            });
        }
    }

    private async Task FinishAsync(LeadImport import, string? error, CancellationToken cancellationToken)
    {
        import.Status = error is null ? LeadImportStatus.Completed : LeadImportStatus.Failed;
        import.Error = error;
        import.Content = null;
        import.CompletedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Sep over the stored bytes: RFC 4180 quoting (doubled quotes, line breaks inside quotes), the separator (comma,
    /// semicolon, tab or pipe) inferred from the header, a UTF-8 byte order mark skipped, and rows of any width.
    /// </summary>
    private static SepReader OpenReader(byte[] content) =>
        Sep.Reader(o => o with { Unescape = true, DisableColCountCheck = true, DisableFastFloat = true }).From(content);

    /// <summary>The index of each known column in the header (-1 when absent); names match case- and space-insensitively.</summary>
    private static Dictionary<string, int> ColumnIndexes(SepReaderHeader header)
    {
        var names = header.ColNames.Select(h => h.Trim().ToLowerInvariant().Replace(' ', '_')).ToList();
        return Columns.ToDictionary(c => c, c => names.IndexOf(c));
    }

    private static bool IsBlank(SepReader.Row row) => row.ColCount == 1 && row[0].Span.IsWhiteSpace();

    private static LeadInput Read(SepReader.Row row, Dictionary<string, int> columns) => new()
    {
        Email = Field(row, columns["email"]),
        Name = Field(row, columns["name"]),
        Phone = Field(row, columns["phone"]),
        IbType = Field(row, columns["ib_type"]),
        MonthlyLeads = Field(row, columns["monthly_leads"]),
        BrokerNetwork = Field(row, columns["broker_network"]),
    };

    private static string? Field(SepReader.Row row, int index) => index >= 0 && index < row.ColCount ? row[index].ToString() : null;

    /// <summary>Data rows in the file (non-blank records after the header), for the progress bar.</summary>
    internal static int CountRows(byte[] content)
    {
        using var reader = OpenReader(content);
        return reader.Enumerate(row => !IsBlank(row)).Count(notBlank => notBlank);
    }

    private sealed record CsvRecord(int Line, LeadInput? Input);
}
