using System.Text.RegularExpressions;

namespace ClientFlow.Automation.Templates;

/// <summary>
/// Claims that financial-promotion rules forbid in an IB's email (reference: broker-conversions, "Financial-promotion
/// rules"): promising profit or denying risk on leveraged products. Saving a template that makes one is allowed, with
/// each claim flagged at its line and column; publishing a workflow that sends it needs the IB to acknowledge the
/// flags, which is audited (<see cref="Workflows.WorkflowEditor.PublishAsync"/>).
/// </summary>
public static partial class PromotionClaims
{
    /// <summary>Each claim in the template's fields, at its place (1-based line and column).</summary>
    public static IReadOnlyList<PromotionClaim> Find(EmailTemplate template) =>
    [
        .. Find(TemplateField.Subject, template.Subject),
        .. Find(TemplateField.HtmlBody, template.HtmlBody),
        .. Find(TemplateField.TextBody, template.TextBody),
    ];

    public static IEnumerable<PromotionClaim> Find(string field, string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            yield break;
        }

        foreach (Match match in Claim().Matches(text))
        {
            var before = text.AsSpan(0, match.Index);
            var line = before.Count('\n') + 1;
            var column = match.Index - (before.LastIndexOf('\n') + 1) + 1;
            yield return new PromotionClaim(field, line, column, match.Value);
        }
    }

    [GeneratedRegex(@"\b(guaranteed\s+(profits?|returns?|income|gains?)|risk[\s-]free|no[\s-]risk|zero[\s-]risk|can(no|'|’)?t\s+lose|cannot\s+lose|can\s+not\s+lose|100%\s+safe|no\s+loss(es)?|sure[\s-]fire\s+profits?)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Claim();
}

/// <summary>One claim: the words, where they stand, and the warning the editor shows.</summary>
public sealed record PromotionClaim(string Field, int Line, int Column, string Phrase)
{
    public string Message =>
        $"\"{Phrase}\" is a claim financial-promotion rules forbid (profit promised or risk denied). Publishing a workflow that sends this email asks you to confirm you have checked it.";

    public override string ToString() => $"Line {Line}, column {Column}: {Message}";
}
