namespace ClientFlow.Automation.Tenancy;

/// <summary>What an IB's daily limits count (<see cref="DailyAllowance"/>).</summary>
public enum DailyLimitKind
{
    TestSends = 1,
    Notifications = 2,
    Sms = 3,
}

/// <summary>How much of one daily limit an IB used on one UTC day. One row per (tenant, day, kind), taken from by a conditional increment.</summary>
public sealed class DailyUsage : ITenantOwned
{
    public Guid TenantId { get; set; }

    public DateOnly Day { get; set; }

    public DailyLimitKind Kind { get; set; }

    public int Used { get; set; }
}
