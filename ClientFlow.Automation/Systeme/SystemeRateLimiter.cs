using System.Globalization;
using System.Net.Http.Headers;
using ClientFlow.Automation.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Systeme;

/// <summary>
/// The Systeme.io account's request budget, shared by every app node through the database
/// (<see cref="SystemeBudget"/>): a request is granted only once <see cref="SystemeBudget.NextGrantAt"/> has passed,
/// by a conditional update of the one budget row that moves it one interval on, so N nodes together send no more than
/// <see cref="SystemeOptions.MaxRequestsPerSecond"/>, evenly spaced rather than in a burst at the start of each second
/// (the server counts arrivals in windows of its own, and a burst granted at the end of one second lands beside the
/// next second's); and a 429 or an exhausted <c>X-RateLimit-Remaining</c> pauses every caller on every node. This is
/// the one part of the client's resilience that <c>Microsoft.Extensions.Http.Resilience</c> cannot express: its rate
/// limiter is per process.
/// </summary>
public sealed class SystemeRateLimiter(IServiceScopeFactory scopes, IOptions<SystemeOptions> options, TimeProvider clock)
{
    /// <summary>Waits for a place in the shared budget (and for any pause to end).</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        var interval = Interval(options.Value.MaxRequestsPerSecond);
        while (true)
        {
            var now = clock.GetUtcNow();
            var next = now + interval;
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>();
            var granted = await db.SystemeBudgets
                .Where(b => b.Id == SystemeBudget.AccountId && b.PausedUntil <= now && b.NextGrantAt <= now)
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.NextGrantAt, next), cancellationToken);
            if (granted == 1)
            {
                return;
            }

            var budget = await db.SystemeBudgets.AsNoTracking().Where(b => b.Id == SystemeBudget.AccountId)
                .Select(b => new { b.PausedUntil, b.NextGrantAt }).SingleAsync(cancellationToken);
            var until = budget.PausedUntil > budget.NextGrantAt ? budget.PausedUntil : budget.NextGrantAt;
            await Task.Delay(until > now ? until - now : MinimumWait, clock, cancellationToken);
        }
    }

    /// <summary>No caller on any node sends before <paramref name="delay"/> has passed.</summary>
    public async Task PauseForAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        var until = clock.GetUtcNow() + delay;
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>().SystemeBudgets
            .Where(b => b.Id == SystemeBudget.AccountId && b.PausedUntil < until)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.PausedUntil, until), cancellationToken);
    }

    /// <summary>Reads the quota headers of any answer: with nothing left, every node waits for the refill.</summary>
    public async Task ObserveAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (HeaderValue(response.Headers, "X-RateLimit-Remaining") is { } remaining
            && long.TryParse(remaining, NumberStyles.Integer, CultureInfo.InvariantCulture, out var left)
            && left <= 0
            && RefillDelay(response) is { } refill)
        {
            await PauseForAsync(refill, cancellationToken);
        }
    }

    /// <summary><c>Retry-After</c> (seconds or HTTP date), else <c>X-RateLimit-Refill</c> (seconds, unix time or a date).</summary>
    public TimeSpan? RetryDelay(HttpResponseMessage response)
    {
        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta;
        }

        if (retryAfter?.Date is { } date)
        {
            return Positive(date - clock.GetUtcNow());
        }

        return RefillDelay(response);
    }

    /// <summary>
    /// Requests the shared budget can grant in the second from <paramref name="now"/> (none while every node is paused):
    /// what the same conditional update in <see cref="WaitAsync"/> would allow, for the operators' gauge.
    /// </summary>
    internal static int Remaining(SystemeBudget budget, double perSecond, DateTimeOffset now)
    {
        if (budget.PausedUntil > now)
        {
            return 0;
        }

        var first = budget.NextGrantAt > now ? budget.NextGrantAt : now;
        var room = now + TimeSpan.FromSeconds(1) - first;
        return room > TimeSpan.Zero ? (int)((room.Ticks - 1) / Interval(perSecond).Ticks) + 1 : 0;
    }

    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(10);

    /// <summary>The least time between two grants: a second over the rate, rounded up to a whole tick so the rate is never exceeded.</summary>
    private static TimeSpan Interval(double perSecond) =>
        TimeSpan.FromTicks((long)Math.Ceiling(TimeSpan.TicksPerSecond / perSecond));

    private TimeSpan? RefillDelay(HttpResponseMessage response)
    {
        if (HeaderValue(response.Headers, "X-RateLimit-Refill") is not { } refill)
        {
            return null;
        }

        if (double.TryParse(refill, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            // Small numbers are seconds to wait; large ones are a unix time.
            return number < 1_000_000_000
                ? TimeSpan.FromSeconds(Math.Max(0, number))
                : Positive(DateTimeOffset.FromUnixTimeMilliseconds((long)(number * 1000)) - clock.GetUtcNow());
        }

        return DateTimeOffset.TryParse(refill, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? Positive(at - clock.GetUtcNow())
            : null;
    }

    private static TimeSpan Positive(TimeSpan span) => span > TimeSpan.Zero ? span : TimeSpan.Zero;

    private static string? HeaderValue(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
