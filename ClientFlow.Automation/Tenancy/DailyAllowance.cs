using ClientFlow.Automation.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Tenancy;

/// <summary>
/// An IB's daily limits on what goes out through the platform's shared sender and SMS account (test sends,
/// notifications, text messages). Taking one is a conditional increment of the day's <see cref="DailyUsage"/> row
/// (<c>Used &lt; limit</c>), so two nodes at the limit cannot both take the last one; inside a caller's transaction
/// the row stays taken only if that transaction commits.
/// </summary>
public sealed class DailyAllowance(ClientFlowDbContext db, DailyLimitsReached reachedLimits, IOptions<DailyLimitOptions> options, TimeProvider clock)
{
    /// <summary>What this scope took: a count it read may include its own increment, not committed yet.</summary>
    private readonly HashSet<(Guid, DateOnly, DailyLimitKind)> _taken = [];

    /// <summary>The limit that applies to the tenant today: its own, or the platform's.</summary>
    public async Task<int> LimitAsync(Guid tenantId, DailyLimitKind kind, CancellationToken cancellationToken) =>
        (await LimitsAsync(tenantId, cancellationToken))[kind];

    /// <summary>How much of each limit the tenant used today, and the limit.</summary>
    public async Task<IReadOnlyDictionary<DailyLimitKind, (int Used, int Limit)>> TodayAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var day = Today;
        var used = await db.DailyUsages.Where(u => u.TenantId == tenantId && u.Day == day).ToDictionaryAsync(u => u.Kind, u => u.Used, cancellationToken);
        var limits = await LimitsAsync(tenantId, cancellationToken);
        return limits.ToDictionary(l => l.Key, l => (used.GetValueOrDefault(l.Key), l.Value));
    }

    /// <summary>Every limit of the tenant, from one read of its row: its own figure, else the platform's.</summary>
    private async Task<Dictionary<DailyLimitKind, int>> LimitsAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var own = await db.Tenants.Where(t => t.Id == tenantId).Select(t => new { t.DailyTestSends, t.DailyNotifications, t.DailySms }).SingleAsync(cancellationToken);
        return new Dictionary<DailyLimitKind, int>
        {
            [DailyLimitKind.TestSends] = own.DailyTestSends ?? options.Value.TestSends,
            [DailyLimitKind.Notifications] = own.DailyNotifications ?? options.Value.Notifications,
            [DailyLimitKind.Sms] = own.DailySms ?? options.Value.Sms,
        };
    }

    /// <summary>Takes one from today's allowance; false, with nothing taken, when the limit is reached.</summary>
    public async Task<bool> TryTakeAsync(Guid tenantId, DailyLimitKind kind, CancellationToken cancellationToken)
    {
        var limit = await LimitAsync(tenantId, kind, cancellationToken);
        if (limit <= 0)
        {
            return false;
        }

        var day = Today;
        if (reachedLimits.IsReached(tenantId, day, kind, limit))
        {
            return false;
        }

        // Another writer may create the day's row between our statements: an increment that found no row is tried again
        // once the row is there, and refused only when the row shows the limit reached.
        for (var pass = 0; pass < 4; pass++)
        {
            var taken = await db.DailyUsages
                .Where(u => u.TenantId == tenantId && u.Day == day && u.Kind == kind && u.Used < limit)
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.Used, u => u.Used + 1), cancellationToken);
            if (taken == 1)
            {
                _taken.Add((tenantId, day, kind));
                return true;
            }

            var used = await db.DailyUsages.Where(u => u.TenantId == tenantId && u.Day == day && u.Kind == kind).Select(u => (int?)u.Used).SingleOrDefaultAsync(cancellationToken);
            if (used >= limit)
            {
                // Only a count other transactions committed is known to stay reached; this scope's own may roll back.
                if (!_taken.Contains((tenantId, day, kind)))
                {
                    reachedLimits.Reached(tenantId, day, kind, limit);
                }

                return false;
            }

            if (used is null && await db.InsertDailyUsageIfAbsentAsync(tenantId, day, kind, cancellationToken))
            {
                _taken.Add((tenantId, day, kind));
                return true;
            }
        }

        return false;
    }

    /// <summary>The sentence an IB reads when a limit stops something.</summary>
    public static string Reached(DailyLimitKind kind, int limit) => kind switch
    {
        DailyLimitKind.TestSends => $"You have sent your {limit} test emails for today, the most your account may send a day. More from midnight UTC.",
        DailyLimitKind.Notifications => $"the daily limit of {limit} notifications is reached (more from midnight UTC)",
        _ => $"the daily limit of {limit} text messages is reached (more from midnight UTC)",
    };

    private DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
}
