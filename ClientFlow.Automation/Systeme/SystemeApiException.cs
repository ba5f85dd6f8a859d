using System.Net;

namespace ClientFlow.Automation.Systeme;

/// <summary>A Systeme.io answer that is not a success, from its problem+json body.</summary>
public sealed class SystemeApiException(HttpStatusCode status, string detail, IReadOnlyList<SystemeViolation> violations, TimeSpan? retryAfter = null)
    : Exception($"Systeme.io answered {(int)status}: {detail}")
{
    /// <summary>How long Systeme.io asked us to wait (429), when it said.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    public HttpStatusCode Status { get; } = status;

    public string Detail { get; } = detail;

    public IReadOnlyList<SystemeViolation> Violations { get; } = violations;

    /// <summary>Worth trying again later: rate limiting, server errors and timeouts, not a request Systeme.io refused.</summary>
    public bool IsTransient => Status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)Status >= 500;

    public bool HasViolationOn(string propertyPath) => Violations.Any(v => v.PropertyPath == propertyPath);
}
