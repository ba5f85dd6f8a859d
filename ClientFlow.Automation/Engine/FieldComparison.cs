using ClientFlow.Automation.Workflows;

namespace ClientFlow.Automation.Engine;

/// <summary>Field conditions. Text compares case-insensitively; <c>monthly_leads</c> also orders its buckets.</summary>
public static class FieldComparison
{
    private static readonly string[] VolumeBuckets = ["<100", "100-499", "500+"];

    public static bool Holds(string? actual, FieldCondition condition) => condition.Operator switch
    {
        FieldOperator.IsSet => !string.IsNullOrWhiteSpace(actual),
        FieldOperator.Equals => string.Equals(actual?.Trim(), condition.Value.Trim(), StringComparison.OrdinalIgnoreCase),
        FieldOperator.NotEquals => !string.Equals(actual?.Trim(), condition.Value.Trim(), StringComparison.OrdinalIgnoreCase),
        FieldOperator.Contains => actual?.Contains(condition.Value.Trim(), StringComparison.OrdinalIgnoreCase) == true,
        FieldOperator.AtLeast => Rank(actual) is { } rank && Rank(condition.Value) is { } floor && rank >= floor,
        _ => false,
    };

    public static bool IsVolumeBucket(string value) => Array.IndexOf(VolumeBuckets, value.Trim()) >= 0;

    private static int? Rank(string? value) => value is null ? null : Array.IndexOf(VolumeBuckets, value.Trim()) is >= 0 and var i ? i : null;
}
