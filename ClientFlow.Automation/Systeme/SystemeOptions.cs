using System.ComponentModel.DataAnnotations;

namespace ClientFlow.Automation.Systeme;

/// <summary>The shared Systeme.io account. No <see cref="ApiKey"/> means offline: leads are kept and shown as not synced.</summary>
public sealed class SystemeOptions
{
    public const string SectionName = "Systeme";

    [Required]
    public Uri BaseUrl { get; set; } = new("https://api.systeme.io/api/");

    public string? ApiKey { get; set; }

    public string? WebhookSecret { get; set; }

    /// <summary>Custom contact field holding the owning IB's tenant id.</summary>
    [Required]
    [RegularExpression("^[a-z0-9_]+$")]
    public string OwnerIdFieldSlug { get; set; } = "ib_owner_id";

    /// <summary>Custom contact field holding the owning IB's tag prefix.</summary>
    [Required]
    [RegularExpression("^[a-z0-9_]+$")]
    public string PrefixFieldSlug { get; set; } = "ib_prefix";

    /// <summary>Requests per second for the whole account, shared by every node through the database (<see cref="SystemeRateLimiter"/>); 429s and the rate-limit headers pause every node further.</summary>
    [Range(0.1, 100)]
    public double MaxRequestsPerSecond { get; set; } = 4;

    /// <summary>Attempts per call (429, 5xx, 408, timeouts, network) in the resilience pipeline before the outbox takes over with its own, longer backoff.</summary>
    [Range(1, 10)]
    public int MaxAttempts { get; set; } = 4;

    [Range(1, 300)]
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>How often each IB's contacts are read back from Systeme.io by its prefix (<see cref="SystemeReconciler"/>); 0 turns it off.</summary>
    [Range(0, 60)]
    public int ReconcileMinutes { get; set; } = 15;

    /// <summary>How long "Test the connection" waits for Systeme.io's webhook to bring its test tag back.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan ConnectionTestWait { get; set; } = TimeSpan.FromSeconds(30);

    public bool IsOffline => string.IsNullOrWhiteSpace(ApiKey);
}
