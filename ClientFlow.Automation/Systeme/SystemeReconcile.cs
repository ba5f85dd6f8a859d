using ClientFlow.Automation.Tenancy;

namespace ClientFlow.Automation.Systeme;

/// <summary>
/// One IB's reconcile with Systeme.io (<see cref="SystemeReconciler"/>): the pass in progress with its cursor, the lease
/// of the worker running it, and what the last finished pass changed.
/// </summary>
public sealed class SystemeReconcile : ITenantOwned
{
    public Guid TenantId { get; set; }

    /// <summary>The prefixed tag whose contacts are being read; null between passes.</summary>
    public long? TagId { get; set; }

    /// <summary>The last contact id read under <see cref="TagId"/>: the pass resumes after it.</summary>
    public long? StartingAfter { get; set; }

    /// <summary>The worker that claimed the pass, until <see cref="LeaseUntil"/> (renewed after every page).</summary>
    public Guid? LeaseOwner { get; set; }

    public DateTimeOffset? LeaseUntil { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>This pass so far: contacts read (a contact under two of the IB's tags is read twice), leads created, tags added, contacts refused.</summary>
    public int ContactsRead { get; set; }

    public int LeadsCreated { get; set; }

    public int TagsAdded { get; set; }

    public int Refused { get; set; }

    /// <summary>The IB's prefixed tags Systeme.io had at the last pass, comma-separated.</summary>
    public string? TagsFound { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>What the last finished pass changed, in words.</summary>
    public string? LastReport { get; set; }

    public string? LastError { get; set; }
}
