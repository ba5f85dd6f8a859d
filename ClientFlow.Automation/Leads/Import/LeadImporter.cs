using System.Text;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Diagnostics;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Automation.Leads.Import;

/// <summary>
/// Reads an uploaded CSV in batches: each row is validated like any capture, valid rows go through
/// <see cref="LeadCapture"/> (limit and policy included), and every rejected row is stored with its
/// line and reason. Progress is saved after each batch, and a restarted job resumes after the last one.
/// </summary>
public sealed class LeadImporter(ClientFlowDbContext db, LeadCapture capture, ClientFlowMetrics metrics, TimeProvider clock)
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

        import.Status = LeadImportStatus.Running;
        import.TotalRows ??= CountRows(import.Content);
        await db.SaveChangesAsync(cancellationToken);

        var rows = new CsvRows(Decode(import.Content));
        var header = rows.Read()?.Select(h => h.Trim().ToLowerInvariant().Replace(' ', '_')).ToList();
        var columns = header is null ? [] : Columns.ToDictionary(c => c, c => header.IndexOf(c));
        if (header is null || columns["email"] < 0)
        {
            await FinishAsync(import, "The file has no header row with an 'email' column.", cancellationToken);
            return;
        }

        var skip = import.ProcessedRows;
        var batch = new List<(int Line, LeadInput Input)>(BatchSize);
        while (rows.Read() is { } record)
        {
            if (skip-- > 0)
            {
                continue;
            }

            batch.Add((rows.Line, Read(record, columns)));
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

        if (valid.Count > 0)
        {
            var results = await capture.CaptureValidAsync(import.TenantId, valid.Select(v => v.Input).ToList(), LeadSource.Import, syncNow: false, cancellationToken);
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

        import.ProcessedRows += batch.Count;
        await db.SaveChangesAsync(cancellationToken);
        metrics.RecordImportRows(import.ImportedRows - imported, import.ExistingRows - existing, import.RejectedRows - rejected);
        db.ChangeTracker.Clear();
        db.Attach(import);
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

    private static LeadInput Read(IReadOnlyList<string> record, Dictionary<string, int> columns) => new()
    {
        Email = Field(record, columns, "email"),
        Name = Field(record, columns, "name"),
        Phone = Field(record, columns, "phone"),
        IbType = Field(record, columns, "ib_type"),
        MonthlyLeads = Field(record, columns, "monthly_leads"),
        BrokerNetwork = Field(record, columns, "broker_network"),
    };

    private static string? Field(IReadOnlyList<string> record, Dictionary<string, int> columns, string column) =>
        columns[column] is var index && index >= 0 && index < record.Count ? record[index] : null;

    private static string Decode(byte[] content) => new StreamReader(new MemoryStream(content), Encoding.UTF8, detectEncodingFromByteOrderMarks: true).ReadToEnd();

    /// <summary>Data rows in the file (records after the header), for the progress bar.</summary>
    internal static int CountRows(byte[] content)
    {
        var rows = new CsvRows(Decode(content));
        var count = -1;
        while (rows.Read() is not null)
        {
            count++;
        }

        return Math.Max(0, count);
    }
}
