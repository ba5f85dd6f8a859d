using ClientFlow.Automation.Workflows;

namespace ClientFlow.Web.Pages.Workflows;

/// <summary>A step tree as indented lines, with "then"/"else" markers, for lists and the dashboard.</summary>
public static class Outline
{
    public static IReadOnlyList<Line> Of(WorkflowDefinition definition, IReadOnlyDictionary<Guid, string> templateNames)
    {
        var lines = new List<Line>();
        Add(lines, definition.Steps, 0, templateNames);
        return lines;
    }

    private static void Add(List<Line> lines, IReadOnlyList<WorkflowStep> steps, int depth, IReadOnlyDictionary<Guid, string> names)
    {
        foreach (var step in steps)
        {
            lines.Add(new Line(depth, StepText.Describe(step, names)));
            if (step is ConditionStep condition)
            {
                lines.Add(new Line(depth + 1, "then:"));
                Add(lines, condition.Then, depth + 2, names);
                lines.Add(new Line(depth + 1, "else:"));
                Add(lines, condition.Else, depth + 2, names);
            }
        }
    }

    public sealed record Line(int Depth, string Text);

    /// <summary>The stylesheet's indent for a depth (the content security policy allows no inline styles); deeper trees share the last.</summary>
    public static string DepthClass(int depth) => $"outline-depth-{Math.Clamp(depth, 0, MaxIndentedDepth)}";

    private const int MaxIndentedDepth = 8;
}
