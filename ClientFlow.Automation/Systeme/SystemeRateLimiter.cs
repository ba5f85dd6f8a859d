using System.Globalization;
using System.Net.Http.Headers;
using ClientFlow.Automation.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Systeme;

/// <summary>
/// The Systeme.io account's request budget, shared by every app node through the database
/// (<see cref="SystemeBudget"/>): each request takes a place in the current rate window by a conditional
/// update of the one budget row, so N nodes together send no more than <see cref="SystemeOptions.MaxRequestsPerSecond"/>;
/// and a 429 or an exhausted <c>X-RateLimit-Remaining</c> pauses every caller on every node. This is the one
/// part of the client's resilience that <c>Microsoft.Extensions.Http.Resilience</c> cannot express: its rate
/// limiter is per process.
/// </summary>
public sealed class SystemeRateLimiter(IServiceScopeFactory scopes, IOptions<SystemeOptions> options, TimeProvider clock)
{
    /// <summary>Waits for a place in the shared budget (and for any pause to end).</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        var (window, limit) = Window(options.Value.MaxRequestsPerSecond);
        while (true)
        {
            var now = clock.GetUtcNow();
            var start = WindowStart(now, window);
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>();
            var granted = await db.SystemeBudgets
                .Where(b => b.Id == SystemeBudget.AccountId && b.PausedUntil <= now && (b.WindowStart < start || (b.WindowStart == start && b.Granted < limit)))
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.Granted, b => b.WindowStart == start ? b.Granted + 1 : 1).SetProperty(b => b.WindowStart, start), cancellationToken);
            if (granted == 1)
            {
                return;
            }

            var pausedUntil = await db.SystemeBudgets.Where(b => b.Id == SystemeBudget.AccountId).Select(b => b.PausedUntil).SingleAsync(cancellationToken);
            var until = pausedUntil > now ? pausedUntil : start + window;
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
    /// Requests the shared budget can still grant in the window <paramref name="now"/> falls in (none while every node is
    /// paused): what the same conditional update in <see cref="WaitAsync"/> would allow, for the operators' gauge.
    /// </summary>
    internal static int Remaining(SystemeBudget budget, double perSecond, DateTimeOffset now)
    {
        if (budget.PausedUntil > now)
        {
            return 0;
        }

        var (window, limit) = Window(perSecond);
        return budget.WindowStart == WindowStart(now, window) ? Math.Max(0, limit - budget.Granted) : limit;
    }

    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(10);

    /// <summary>A window of a second holding the whole per-second rate; below one request a second, one request per longer window.</summary>
    private static (TimeSpan Window, int Limit) Window(double perSecond) =>
        perSecond >= 1 ? (TimeSpan.FromSeconds(1), (int)Math.Floor(perSecond)) : (TimeSpan.FromMilliseconds(Math.Ceiling(1000 / perSecond)), 1);

    /// <summary>Whole-millisecond windows in integer ticks: the same instant on every node and in every database's precision.</summary>
    private static DateTimeOffset WindowStart(DateTimeOffset now, TimeSpan window) =>
        new(now.UtcTicks / window.Ticks * window.Ticks, TimeSpan.Zero);

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
