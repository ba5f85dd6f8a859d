namespace ClientFlow.Automation.Systeme;

/// <summary>
/// The Systeme.io account's request budget, one row shared by every app node through the database (its quota is
/// the account's, not a process's): the current rate window and how many requests it has granted, and the pause
/// that a 429 or an exhausted <c>X-RateLimit-Remaining</c> sets for every caller on every node.
/// Not tenant-owned: it is the platform's.
/// </summary>
public sealed class SystemeBudget
{
    /// <summary>The one row's key.</summary>
    public const int AccountId = 1;

    public int Id { get; set; }

    /// <summary>Start of the window that <see cref="Granted"/> counts.</summary>
    public DateTimeOffset WindowStart { get; set; }

    public int Granted { get; set; }

    /// <summary>No request leaves any node before this.</summary>
    public DateTimeOffset PausedUntil { get; set; }
}
