namespace ClientFlow.Automation.Jobs;

/// <summary>
/// The wakes this node has scheduled, by tenant and second of due time: a run whose wait ends in a second that already
/// has a wake at or before its own time needs no job of its own, because that wake, fired, claims every due run of the
/// tenant and leaves a wake for those of its second not yet due (<see cref="WakeJob"/>). In memory and per node: another
/// node, or this one after a restart, books its own, and the claim makes a second wake for the same runs harmless. A run
/// due within <see cref="Horizon"/> always gets a wake of its own: the wake booked for its second may have fired already.
/// At most <see cref="MaxBooked"/> seconds are remembered (days of steady enrolment book a second per tenant for every
/// second until their waits end); past that, a wait gets a wake of its own, as if none were booked.
/// </summary>
public sealed class WakeTimes
{
    public static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    public const int MaxBooked = 100_000;

    private static readonly TimeSpan Horizon = TimeSpan.FromSeconds(2);

    private readonly Dictionary<(Guid TenantId, long Second), DateTimeOffset> _booked = [];
    private readonly Lock _gate = new();
    private DateTimeOffset _nextPrune = DateTimeOffset.MinValue;

    /// <summary>Whether a wake must be scheduled for <paramref name="dueAt"/>; if so, it is booked until <see cref="Release"/>.</summary>
    public bool TryBook(Guid tenantId, DateTimeOffset dueAt, DateTimeOffset now)
    {
        if (dueAt - now <= Horizon)
        {
            return true;
        }

        var key = (tenantId, dueAt.UtcTicks / Second.Ticks);
        lock (_gate)
        {
            Prune(now);
            if (_booked.TryGetValue(key, out var booked) && booked <= dueAt)
            {
                return false;
            }

            if (_booked.Count < MaxBooked || _booked.ContainsKey(key))
            {
                _booked[key] = dueAt;
            }

            return true;
        }
    }

    /// <summary>Forgets a booking whose wake could not be scheduled.</summary>
    public void Release(Guid tenantId, DateTimeOffset dueAt)
    {
        var key = (tenantId, dueAt.UtcTicks / Second.Ticks);
        lock (_gate)
        {
            if (_booked.TryGetValue(key, out var booked) && booked == dueAt)
            {
                _booked.Remove(key);
            }
        }
    }

    private void Prune(DateTimeOffset now)
    {
        if (now < _nextPrune)
        {
            return;
        }

        _nextPrune = now + TimeSpan.FromMinutes(1);
        var past = now.UtcTicks / Second.Ticks;
        foreach (var key in _booked.Keys.Where(k => k.Second < past).ToList())
        {
            _booked.Remove(key);
        }
    }
}
