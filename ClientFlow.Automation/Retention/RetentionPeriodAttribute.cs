using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace ClientFlow.Automation.Retention;

/// <summary>
/// A retention period: <see cref="TimeSpan.Zero"/> (keep forever) or between a floor and ten years. A plain
/// <see cref="RangeAttribute"/> cannot say "zero or at least a day", and a period of minutes would delete what
/// the app is still working on. Longer than ten years is a setting that meant "forever": zero says so.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class RetentionPeriodAttribute(int minimumDays) : ValidationAttribute
{
    private static readonly TimeSpan Maximum = TimeSpan.FromDays(3650);

    public TimeSpan Minimum { get; } = TimeSpan.FromDays(minimumDays);

    public override bool IsValid(object? value) =>
        value is TimeSpan period && (period == TimeSpan.Zero || (period >= Minimum && period <= Maximum));

    public override string FormatErrorMessage(string name) =>
        string.Format(
            CultureInfo.InvariantCulture,
            "{0}:{1} must be 00:00:00 (keep forever) or between {2:%d} and {3:%d} days, written d.hh:mm:ss (90.00:00:00 is 90 days).",
            RetentionOptions.SectionName,
            name,
            Minimum,
            Maximum);
}
