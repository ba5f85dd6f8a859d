using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Systeme;

/// <summary>
/// Every call to Systeme.io passes here: it waits its turn on the account's rate limiter, honours
/// 429 (<c>Retry-After</c>, <c>X-RateLimit-Refill</c>) for every caller, and retries 5xx, timeouts
/// and network failures with exponential backoff. A wait longer than <see cref="MaxInlineWait"/>
/// is not slept here: the answer goes back and the outbox retries later.
/// </summary>
internal sealed partial class SystemeResilienceHandler(
    SystemeRateLimiter limiter,
    IOptions<SystemeOptions> options,
    TimeProvider clock,
    ILogger<SystemeResilienceHandler> logger) : DelegatingHandler
{
    internal static readonly TimeSpan MaxInlineWait = TimeSpan.FromSeconds(30);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        for (var attempt = 1; ; attempt++)
        {
            await limiter.WaitAsync(cancellationToken);
            var last = attempt >= settings.MaxAttempts;

            HttpResponseMessage response;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(TimeSpan.FromSeconds(settings.TimeoutSeconds));
                try
                {
                    response = await base.SendAsync(request, timeout.Token);
                }
                catch (Exception ex) when (!last && !cancellationToken.IsCancellationRequested && ex is HttpRequestException or OperationCanceledException)
                {
                    LogRetry(request.Method.Method, request.RequestUri?.AbsolutePath, attempt, ex.GetType().Name);
                    await Task.Delay(Backoff(attempt), clock, cancellationToken);
                    continue;
                }
            }

            limiter.Observe(response);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                var wait = limiter.RetryDelay(response) ?? Backoff(attempt);
                limiter.PauseFor(wait);
                LogRateLimited(request.Method.Method, request.RequestUri?.AbsolutePath, wait.TotalSeconds);
                if (last || wait > MaxInlineWait)
                {
                    return response;
                }

                response.Dispose();
                continue;
            }

            if ((int)response.StatusCode >= 500 && !last)
            {
                LogRetry(request.Method.Method, request.RequestUri?.AbsolutePath, attempt, ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
                response.Dispose();
                await Task.Delay(Backoff(attempt), clock, cancellationToken);
                continue;
            }

            return response;
        }
    }

    private static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(10_000, 250 * Math.Pow(2, attempt - 1)) * (0.8 + (Random.Shared.NextDouble() * 0.4)));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Systeme.io {Method} {Path} failed on attempt {Attempt} ({Reason}); retrying")]
    private partial void LogRetry(string method, string? path, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Systeme.io rate limit on {Method} {Path}: pausing all calls for {Seconds:0.0} s")]
    private partial void LogRateLimited(string method, string? path, double seconds);
}
