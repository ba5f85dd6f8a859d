using ClientFlow.Automation.Tenancy;

namespace ClientFlow.Automation.Leads.Import;

/// <summary>A CSV upload and its progress. The file is kept in the database (any node's job can read it) until it is processed.</summary>
public sealed class LeadImport : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid TenantId { get; set; }

    public required string FileName { get; set; }

    public byte[]? Content { get; set; }

    public LeadImportStatus Status { get; set; } = LeadImportStatus.Queued;

    /// <summary>Data rows read so far (the header is not counted).</summary>
    public int ProcessedRows { get; set; }

    public int ImportedRows { get; set; }

    /// <summary>Rows whose email was already one of the IB's leads (or repeated in the file).</summary>
    public int ExistingRows { get; set; }

    public int RejectedRows { get; set; }

    /// <summary>Rows in the file, once counted.</summary>
    public int? TotalRows { get; set; }

    public string? Error { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public int PercentDone => TotalRows is > 0 ? (int)(100L * ProcessedRows / TotalRows.Value) : Status == LeadImportStatus.Completed ? 100 : 0;
}
