namespace ClientFlow.Automation.Systeme;

/// <summary>
/// The Systeme.io account's request budget, one row shared by every app node through the database (its quota is
/// the account's, not a process's): the earliest instant the next request may leave, and the pause that a 429 or an
/// exhausted <c>X-RateLimit-Remaining</c> sets for every caller on every node.
/// Not tenant-owned: it is the platform's.
/// </summary>
public sealed class SystemeBudget
{
    /// <summary>The one row's key.</summary>
    public const int AccountId = 1;

    public int Id { get; set; }

    /// <summary>
    /// No request is granted before this: each grant moves it one interval (a second over
    /// <see cref="SystemeOptions.MaxRequestsPerSecond"/>) past the instant it was granted, so grants are spaced evenly.
    /// </summary>
    public DateTimeOffset NextGrantAt { get; set; }

    /// <summary>No request leaves any node before this.</summary>
    public DateTimeOffset PausedUntil { get; set; }
}
