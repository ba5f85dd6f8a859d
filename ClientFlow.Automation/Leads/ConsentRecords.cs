using System.Text.Json.Serialization;
using ClientFlow.Automation.Data;
using Microsoft.EntityFrameworkCore;
using nietras.SeparatedValues;

namespace ClientFlow.Automation.Leads;

/// <summary>
/// Each lead's consent evidence (how, when and in what words it agreed to hear from the IB), read for the lead's page
/// and exported as JSON or CSV for a regulator, a broker's compliance team or the person themself.
/// </summary>
public sealed class ConsentRecords(ClientFlowDbContext db)
{
    public const int ExportPageSize = 1000;

    /// <summary>The CSV export's columns, in order.</summary>
    public static readonly IReadOnlyList<string> CsvColumns =
        ["lead_id", "email", "source", "captured_at", "consent_at", "ip", "user_agent", "statement", "declared_basis", "import_file", "evidence"];

    /// <summary>The lead's evidence, or null when the IB has no such lead.</summary>
    public async Task<ConsentRecord?> ForLeadAsync(Guid leadId, CancellationToken cancellationToken) =>
        (await PageAsync(db.Leads.Where(l => l.Id == leadId), cancellationToken)).SingleOrDefault();

    /// <summary>Every lead's evidence, oldest first, a page at a time (keyset on the creation time and the email, unique per IB).</summary>
    public async IAsyncEnumerable<IReadOnlyList<ConsentRecord>> AllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        (DateTimeOffset At, string Email)? after = null;
        while (true)
        {
            var query = db.Leads.AsQueryable();
            if (after is { } last)
            {
#pragma warning disable CA1309 // Translated to SQL comparisons in the database's collation, as the ORDER BY is.
                query = query.Where(l => l.CreatedAt > last.At || (l.CreatedAt == last.At && string.Compare(l.Email, last.Email) > 0));
#pragma warning restore CA1309
            }

            var page = await PageAsync(query.OrderBy(l => l.CreatedAt).ThenBy(l => l.Email).Take(ExportPageSize), cancellationToken);
            if (page.Count == 0)
            {
                yield break;
            }

            yield return page;
            after = (page[^1].CapturedAt, page[^1].Email);
        }
    }

    /// <summary>Records as CSV rows (with a header when <paramref name="header"/>), escaped by Sep.</summary>
    public static string ToCsv(IReadOnlyCollection<ConsentRecord> records, bool header)
    {
        if (records.Count == 0)
        {
            return header ? string.Join(',', CsvColumns) + "\n" : string.Empty;
        }

        using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        using (var writer = Sep.New(',').Writer(o => o with { Escape = true, WriteHeader = header }).To(text))
        {
            foreach (var record in records)
            {
                using var row = writer.NewRow();
                row["lead_id"].Set(record.LeadId.ToString());
                row["email"].Set(record.Email);
                row["source"].Set(record.Source.ToString());
                row["captured_at"].Set(record.CapturedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                row["consent_at"].Set(record.ConsentAt?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty);
                row["ip"].Set(record.Ip ?? string.Empty);
                row["user_agent"].Set(record.UserAgent ?? string.Empty);
                row["statement"].Set(record.Statement ?? string.Empty);
                row["declared_basis"].Set(record.DeclaredBasis ?? string.Empty);
                row["import_file"].Set(record.ImportFile ?? string.Empty);
                row["evidence"].Set(record.Describe());
            }
        }

        return text.ToString();
    }

    private async Task<List<ConsentRecord>> PageAsync(IQueryable<Lead> leads, CancellationToken cancellationToken) =>
        await (from lead in leads
               join import in db.LeadImports on lead.ConsentImportId equals import.Id into imports
               from import in imports.DefaultIfEmpty()
               orderby lead.CreatedAt, lead.Email
               select new ConsentRecord(
                   lead.Id,
                   lead.Email,
                   lead.Source,
                   lead.CreatedAt,
                   lead.ConsentAt,
                   lead.ConsentIp,
                   lead.ConsentUserAgent,
                   lead.ConsentText,
                   import == null ? null : import.ConsentBasis,
                   import == null ? null : import.FileName))
            .AsNoTracking()
            .ToListAsync(cancellationToken);
}

/// <summary>How one lead agreed to hear from the IB.</summary>
public sealed record ConsentRecord(
    [property: JsonPropertyName("lead_id")] Guid LeadId,
    [property: JsonPropertyName("email")] string Email,
    [property: JsonPropertyName("source"), JsonConverter(typeof(JsonStringEnumConverter<LeadSource>))] LeadSource Source,
    [property: JsonPropertyName("captured_at")] DateTimeOffset CapturedAt,
    [property: JsonPropertyName("consent_at")] DateTimeOffset? ConsentAt,
    [property: JsonPropertyName("ip")] string? Ip,
    [property: JsonPropertyName("user_agent")] string? UserAgent,
    [property: JsonPropertyName("statement")] string? Statement,
    [property: JsonPropertyName("declared_basis")] string? DeclaredBasis,
    [property: JsonPropertyName("import_file")] string? ImportFile)
{
    /// <summary>The evidence in one sentence, as the lead's page shows it.</summary>
    public string Describe() => Source switch
    {
        LeadSource.Form => $"Sent the hosted form, which showed: \"{Statement}\"",
        LeadSource.Api when Statement is not null => $"Sent through the API with the consent statement: \"{Statement}\"",
        LeadSource.Api => "Sent through the API without a consent statement (the \"consent\" field).",
        LeadSource.Import when DeclaredBasis is not null => $"Imported from {ImportFile}; the IB declared: \"{DeclaredBasis}\"",
        LeadSource.Import => "Imported before ClientFlow asked for a declared basis.",
        LeadSource.Systeme => "Found in Systeme.io with the IB's tags (reconcile); the consent was given there.",
        _ => Statement is null ? "Added by hand by the IB." : $"Added by hand by the IB: \"{Statement}\"",
    };

    [JsonPropertyName("evidence")]
    public string Evidence => Describe();
}
