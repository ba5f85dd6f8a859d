using System.ComponentModel.DataAnnotations;

namespace ClientFlow.Automation.Retention;

/// <summary>
/// How long bulky history is kept before <see cref="RetentionPruner"/> removes it, so the tables the engine
/// works on stay the size of the live work rather than of everything that ever happened. Each period is a
/// minimum age; <c>00:00:00</c> keeps that kind forever. What an admin acts on (dead letters, unconfirmed
/// emails) and what the engine still needs (steps of live runs) is never pruned, whatever the setting.
/// </summary>
public sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    /// <summary>
    /// Age (from sending, or from creation for a message that was never sent) after which a settled email's
    /// rendered HTML and text bodies are replaced by a short note. The row stays: status, counts, opens,
    /// clicks, its token and its links, so the open pixel, click redirects and unsubscribe keep working.
    /// </summary>
    [RetentionPeriod(minimumDays: 1)]
    public TimeSpan EmailBodies { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Time since a run finished after which its step history is deleted; steps of live or paused runs are kept.</summary>
    [RetentionPeriod(minimumDays: 1)]
    public TimeSpan RunSteps { get; set; } = TimeSpan.FromDays(180);

    /// <summary>
    /// Age after which a settled inbound event (processed, ignored, rejected) is deleted; dead-lettered ones stay.
    /// The inbox dedupes redeliveries by their stored message id, so a redelivery older than this would be taken
    /// as new. Systeme.io documents no redelivery window; webhook senders commonly retry for hours to a few days,
    /// so the default is a month and the floor a week.
    /// </summary>
    [RetentionPeriod(minimumDays: 7)]
    public TimeSpan InboxEvents { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Time since an outbox row was done after which it is deleted; failed and dead-lettered rows stay.</summary>
    [RetentionPeriod(minimumDays: 1)]
    public TimeSpan OutboxOperations { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Rows one statement deletes or rewrites: short statements keep the single SQLite writer free for the app.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 1000;
}
