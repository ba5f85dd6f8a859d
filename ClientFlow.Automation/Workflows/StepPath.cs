using System.Globalization;

namespace ClientFlow.Automation.Workflows;

/// <summary>
/// Addresses a step in a tree as the editor posts it: <c>2</c> is the third top-level step,
/// <c>2/then/0</c> the first step of its then-branch. A list is addressed without the last index
/// (<c>""</c> is the top level, <c>2/else</c> a branch).
/// </summary>
public static class StepPath
{
    public static IReadOnlyList<WorkflowStep> Insert(IReadOnlyList<WorkflowStep> steps, string listPath, int index, WorkflowStep step) =>
        EditList(steps, Parse(listPath), list =>
        {
            list.Insert(Math.Clamp(index, 0, list.Count), step);
        });

    public static IReadOnlyList<WorkflowStep> Remove(IReadOnlyList<WorkflowStep> steps, string stepPath)
    {
        var (list, index) = Split(stepPath);
        return EditList(steps, list, l => l.RemoveAt(Check(l, index)));
    }

    /// <summary>Moves a step up (-1) or down (+1) within its list; at an end it stays.</summary>
    public static IReadOnlyList<WorkflowStep> Move(IReadOnlyList<WorkflowStep> steps, string stepPath, int delta)
    {
        var (list, index) = Split(stepPath);
        return EditList(steps, list, l =>
        {
            var target = Check(l, index) + delta;
            if (target >= 0 && target < l.Count)
            {
                (l[index], l[target]) = (l[target], l[index]);
            }
        });
    }

    private static List<WorkflowStep> EditList(IReadOnlyList<WorkflowStep> steps, IReadOnlyList<(int Index, bool Then)> path, Action<List<WorkflowStep>> edit)
    {
        var copy = steps.ToList();
        if (path.Count == 0)
        {
            edit(copy);
            return copy;
        }

        var (index, then) = path[0];
        var condition = copy.ElementAtOrDefault(index) as ConditionStep ?? throw new FormatException("The path does not lead to a condition.");
        var rest = path.Skip(1).ToList();
        copy[index] = then
            ? condition with { Then = EditList(condition.Then, rest, edit) }
            : condition with { Else = EditList(condition.Else, rest, edit) };
        return copy;
    }

    private static (IReadOnlyList<(int Index, bool Then)> List, int Index) Split(string stepPath)
    {
        var cut = stepPath.LastIndexOf('/');
        var index = ParseIndex(cut < 0 ? stepPath : stepPath[(cut + 1)..]);
        return (Parse(cut < 0 ? string.Empty : stepPath[..cut]), index);
    }

    private static List<(int Index, bool Then)> Parse(string? listPath)
    {
        var parts = string.IsNullOrEmpty(listPath) ? [] : listPath.Split('/');
        if (parts.Length % 2 != 0)
        {
            throw new FormatException($"'{listPath}' is not a step list path.");
        }

        var path = new List<(int, bool)>();
        for (var i = 0; i < parts.Length; i += 2)
        {
            var branch = parts[i + 1] switch
            {
                "then" => true,
                "else" => false,
                _ => throw new FormatException($"'{listPath}' is not a step list path."),
            };
            path.Add((ParseIndex(parts[i]), branch));
        }

        return path;
    }

    private static int ParseIndex(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : throw new FormatException($"'{text}' is not a step index.");

    private static int Check(List<WorkflowStep> list, int index) =>
        index >= 0 && index < list.Count ? index : throw new FormatException("No step at that position.");
}
