namespace ClientFlow.Automation.Tenancy;

/// <summary>One introducing broker's account: its tag prefix and its limits.</summary>
public sealed class Tenant
{
    public const int DefaultMaxLeads = 1000;
    public const int DefaultMaxWorkflows = 10;
    public const int DefaultMaxTemplates = 20;

    public Guid Id { get; set; } = Guid.CreateVersion7();

    public required string Name { get; set; }

    /// <summary>Unique, immutable, e.g. <c>ib-a7x3k2m1-</c>.</summary>
    public required string TagPrefix { get; init; }

    public int MaxLeads { get; set; } = DefaultMaxLeads;

    public int MaxWorkflows { get; set; } = DefaultMaxWorkflows;

    public int MaxTemplates { get; set; } = DefaultMaxTemplates;

    /// <summary>SHA-256 of the tenant's API key; the key itself is shown once and never stored.</summary>
    public string? ApiKeyHash { get; set; }

    /// <summary>The hosted form's address: <c>/f/{FormKey}</c>. Random, so forms cannot be enumerated.</summary>
    public required string FormKey { get; set; }

    /// <summary>Last capture on any path. Captures update it first, which serializes them per tenant (limit checks stay exact).</summary>
    public DateTimeOffset? LastCaptureAt { get; set; }

    /// <summary>The From name of every email; the tenant name when empty.</summary>
    public string? SenderName { get; set; }

    /// <summary>Where replies go; the IB's login email when empty.</summary>
    public string? ReplyTo { get; set; }

    /// <summary>The postal address every email's footer carries (anti-spam law asks for one).</summary>
    public string? PostalAddress { get; set; }

    /// <summary>Key of the HMAC-SHA256 signature on notification webhooks; generated at sign-up, rotated on /Settings.</summary>
    public string? NotificationSecret { get; set; }

    /// <summary>SHA-256 of the token in the IB's Systeme.io workflow webhook URL (<c>/webhooks/systeme/t/{token}</c>); the token is shown on /Settings.</summary>
    public string? WebhookTokenHash { get; set; }

    /// <summary>What the IB promotes; null until it says (no workflow turns ON before it does).</summary>
    public PromotedProduct? Promotes { get; set; }

    /// <summary>The warning every marketing email carries above its footer (<see cref="RiskWarnings"/>).</summary>
    public RiskWarningKind RiskWarning { get; set; }

    /// <summary>The provider's percentage of retail accounts that lose money, for <see cref="RiskWarningKind.FcaCfd"/>.</summary>
    public int? RiskWarningPercent { get; set; }

    /// <summary>The words of a <see cref="RiskWarningKind.Custom"/> warning.</summary>
    public string? RiskWarningText { get; set; }

    /// <summary>"Send me a test" emails a day; null takes <c>DailyLimits:TestSends</c>. An admin sets it per IB.</summary>
    public int? DailyTestSends { get; set; }

    /// <summary>Notify-step emails and webhooks a day; null takes <c>DailyLimits:Notifications</c>.</summary>
    public int? DailyNotifications { get; set; }

    /// <summary>Text messages a day (notify steps and number confirmations); null takes <c>DailyLimits:Sms</c>.</summary>
    public int? DailySms { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>This account's templates and workflows are the starter pack every new IB gets a copy of (at most one account).</summary>
    public bool IsStarterPack { get; set; }
}
