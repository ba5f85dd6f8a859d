using System.Collections.Concurrent;

namespace ClientFlow.Automation.Tenancy;

/// <summary>
/// The daily limits this node has seen reached, each with the limit it was reached at. What an IB used in a day only
/// grows, so a limit once reached stays reached for that day at that figure, and the takes after it are refused without
/// asking the database (an import of 100,000 leads into a workflow that notifies the IB asked it 33,000 times, at a
/// millisecond each, after the 500th notification). A limit an admin changes is a new figure, so it is asked again.
/// </summary>
public sealed class DailyLimitsReached
{
    private readonly ConcurrentDictionary<(Guid TenantId, DateOnly Day, DailyLimitKind Kind), int> _reachedAt = new();

    public bool IsReached(Guid tenantId, DateOnly day, DailyLimitKind kind, int limit) =>
        _reachedAt.TryGetValue((tenantId, day, kind), out var reachedAt) && reachedAt == limit;

    public void Reached(Guid tenantId, DateOnly day, DailyLimitKind kind, int limit)
    {
        // Earlier days' entries are never asked about again.
        foreach (var old in _reachedAt.Keys.Where(k => k.Day != day))
        {
            _reachedAt.TryRemove(old, out _);
        }

        _reachedAt[(tenantId, day, kind)] = limit;
    }
}
