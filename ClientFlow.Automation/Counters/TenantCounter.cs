using ClientFlow.Automation.Tenancy;

namespace ClientFlow.Automation.Counters;

/// <summary>
/// One share of one of an IB's running counts (leads, converted leads, workflow emails sent…), kept by database
/// triggers in the same transaction as the rows it counts, so a page reads a few rows instead of counting a table.
/// ClientFlow never writes these rows; <see cref="TenantCounterTriggers"/> define what each name counts. On PostgreSQL
/// a count is spread over <see cref="TenantCounterTriggers.Shards"/> rows (by connection) so concurrent transactions
/// of one IB do not queue on one row; a reader sums them.
/// </summary>
public sealed class TenantCounter : ITenantOwned
{
    public Guid TenantId { get; set; }

    public required string Name { get; set; }

    public int Shard { get; set; }

    public long Value { get; set; }
}
