using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

namespace ClientFlow.Automation.Systeme;

/// <summary>
/// Every call to Systeme.io passes two handlers. Outside, a <c>Microsoft.Extensions.Http.Resilience</c> pipeline
/// retries 5xx, 408, 429, timeouts and network failures with exponential backoff and jitter, and gives each attempt
/// its own timeout (<see cref="Add"/>). Inside, per attempt, <see cref="SystemeBudgetHandler"/> waits for a place in
/// the account's budget shared by every node, and a 429 pauses every caller on every node. A 429 that asks for more
/// than <see cref="MaxInlineWait"/> is not slept here: the answer goes back and the outbox retries later.
/// </summary>
internal static partial class SystemeResilience
{
    internal static readonly TimeSpan MaxInlineWait = TimeSpan.FromSeconds(30);

    public static IHttpClientBuilder Add(IHttpClientBuilder client)
    {
        client.AddResilienceHandler("systeme", (pipeline, context) =>
        {
            var settings = context.ServiceProvider.GetRequiredService<IOptions<SystemeOptions>>().Value;
            var limiter = context.ServiceProvider.GetRequiredService<SystemeRateLimiter>();
            var logger = context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SystemeResilience));
            if (settings.MaxAttempts > 1)
            {
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = settings.MaxAttempts - 1,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = TimeSpan.FromMilliseconds(250),
                    MaxDelay = TimeSpan.FromSeconds(10),
                    // The 429's own wait is the shared pause (OnRetry), which the next attempt's budget honours.
                    ShouldRetryAfterHeader = false,
                    ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                    {
                        { Result.StatusCode: HttpStatusCode.TooManyRequests } => (limiter.RetryDelay(args.Outcome.Result) ?? TimeSpan.Zero) <= MaxInlineWait,
                        { Result: { } response } => (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout,
                        { Exception: HttpRequestException or TimeoutRejectedException } => true,
                        _ => false,
                    }),
                    DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result?.StatusCode == HttpStatusCode.TooManyRequests ? TimeSpan.Zero : (TimeSpan?)null),
                    OnRetry = args =>
                    {
                        var request = args.Outcome.Result?.RequestMessage;
                        LogRetry(logger, request?.Method.Method, request?.RequestUri?.AbsolutePath, args.AttemptNumber + 1, args.Outcome.Result is { } r ? ((int)r.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : args.Outcome.Exception?.GetType().Name);
                        return ValueTask.CompletedTask;
                    },
                });
            }

            pipeline.AddTimeout(TimeSpan.FromSeconds(settings.TimeoutSeconds));
        });
        return client.AddHttpMessageHandler<SystemeBudgetHandler>();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Systeme.io {Method} {Path} failed on attempt {Attempt} ({Reason}); retrying")]
    private static partial void LogRetry(ILogger logger, string? method, string? path, int attempt, string? reason);
}
