using System.Globalization;
using System.Net.Http.Headers;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Systeme;

/// <summary>
/// One per Systeme.io account (the quota is shared by every key): a token bucket for the steady
/// rate, and a shared pause that a 429 or an exhausted <c>X-RateLimit-Remaining</c> sets for every caller.
/// </summary>
public sealed class SystemeRateLimiter : IDisposable
{
    private readonly TokenBucketRateLimiter _bucket;
    private readonly TimeProvider _clock;
    private long _pausedUntilUtcTicks;

    public SystemeRateLimiter(IOptions<SystemeOptions> options, TimeProvider clock)
    {
        _clock = clock;
        var perSecond = options.Value.MaxRequestsPerSecond;
        _bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, (int)Math.Ceiling(perSecond)),
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1 / perSecond),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    public DateTimeOffset PausedUntil => new(Interlocked.Read(ref _pausedUntilUtcTicks), TimeSpan.Zero);

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        using var lease = await _bucket.AcquireAsync(1, cancellationToken);
        var pause = PausedUntil - _clock.GetUtcNow();
        if (pause > TimeSpan.Zero)
        {
            await Task.Delay(pause, _clock, cancellationToken);
        }
    }

    /// <summary>No caller sends before <paramref name="delay"/> has passed.</summary>
    public void PauseFor(TimeSpan delay)
    {
        var until = (_clock.GetUtcNow() + delay).UtcTicks;
        long current;
        do
        {
            current = Interlocked.Read(ref _pausedUntilUtcTicks);
            if (current >= until)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _pausedUntilUtcTicks, until, current) != current);
    }

    /// <summary>Reads the quota headers of any answer: with nothing left, wait for the refill.</summary>
    public void Observe(HttpResponseMessage response)
    {
        if (HeaderValue(response.Headers, "X-RateLimit-Remaining") is { } remaining
            && long.TryParse(remaining, NumberStyles.Integer, CultureInfo.InvariantCulture, out var left)
            && left <= 0
            && RefillDelay(response) is { } refill)
        {
            PauseFor(refill);
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
            return Positive(date - _clock.GetUtcNow());
        }

        return RefillDelay(response);
    }

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
                : Positive(DateTimeOffset.FromUnixTimeMilliseconds((long)(number * 1000)) - _clock.GetUtcNow());
        }

        return DateTimeOffset.TryParse(refill, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? Positive(at - _clock.GetUtcNow())
            : null;
    }

    private static TimeSpan Positive(TimeSpan span) => span > TimeSpan.Zero ? span : TimeSpan.Zero;

    private static string? HeaderValue(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    public void Dispose() => _bucket.Dispose();
}
