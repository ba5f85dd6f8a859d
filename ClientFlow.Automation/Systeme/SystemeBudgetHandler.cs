using System.Net;
using Microsoft.Extensions.Logging;

namespace ClientFlow.Automation.Systeme;

/// <summary>
/// Per attempt: waits for a place in the account's shared budget, reads the quota headers, and turns a 429 into a
/// pause for every caller on every node (<c>Retry-After</c> or <c>X-RateLimit-Refill</c>).
/// </summary>
internal sealed partial class SystemeBudgetHandler(SystemeRateLimiter limiter, ILogger<SystemeBudgetHandler> logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await limiter.WaitAsync(cancellationToken);
        var response = await base.SendAsync(request, cancellationToken);
        await limiter.ObserveAsync(response, cancellationToken);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            var wait = limiter.RetryDelay(response) ?? TimeSpan.FromSeconds(1);
            await limiter.PauseForAsync(wait, cancellationToken);
            LogRateLimited(request.Method.Method, request.RequestUri?.AbsolutePath, wait.TotalSeconds);
        }

        return response;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Systeme.io rate limit on {Method} {Path}: pausing all calls on every node for {Seconds:0.0} s")]
    private partial void LogRateLimited(string method, string? path, double seconds);
}
