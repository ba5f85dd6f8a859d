using System.ComponentModel.DataAnnotations;

namespace ClientFlow.Automation.Tenancy;

/// <summary>
/// <c>DailyLimits:*</c>: what each IB may send per UTC day through the platform's shared sender and SMS account,
/// unless an admin set its own figure on /Admin/Tenant. Anyone can sign up, so none of these is unlimited.
/// </summary>
public sealed class DailyLimitOptions
{
    public const string SectionName = "DailyLimits";

    /// <summary>"Send me a test" emails.</summary>
    [Range(0, 100_000)]
    public int TestSends { get; set; } = 50;

    /// <summary>Notify steps by email or webhook.</summary>
    [Range(0, 10_000_000)]
    public int Notifications { get; set; } = 500;

    /// <summary>Text messages: notify steps and the codes that confirm an IB's number.</summary>
    [Range(0, 100_000)]
    public int Sms { get; set; } = 50;
}
