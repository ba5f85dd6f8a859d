namespace ClientFlow.Automation.Workflows;

/// <summary>
/// A step tree flattened into numbered nodes with explicit successors, so a run's position is one
/// integer and (run, step index) is a unique key. Top-level steps come first in order, then each
/// branch; numbering depends only on the definition, which a version never changes.
/// </summary>
public sealed class WorkflowProgram
{
    private readonly List<ProgramNode> _nodes = [];

    private readonly Dictionary<string, int> _paths = new(StringComparer.Ordinal);

    private WorkflowProgram(IReadOnlyList<WorkflowStep> steps)
    {
        Start = Emit(steps, after: null, depth: 0, prefix: string.Empty);
    }

    /// <summary>The first node, or null for an empty workflow.</summary>
    public int? Start { get; }

    public IReadOnlyList<ProgramNode> Nodes => _nodes;

    public ProgramNode this[int index] => _nodes[index];

    /// <summary>Each node's index by its place in the tree as the editor addresses it (<see cref="StepPath"/>: <c>2</c>, <c>2/then/0</c>).</summary>
    public IReadOnlyDictionary<string, int> Paths => _paths;

    public static WorkflowProgram Compile(WorkflowDefinition definition) => new(definition.Steps);

    private int? Emit(IReadOnlyList<WorkflowStep> steps, int? after, int depth, string prefix)
    {
        if (steps.Count == 0)
        {
            return after;
        }

        var first = _nodes.Count;
        for (var i = 0; i < steps.Count; i++)
        {
            _nodes.Add(new ProgramNode(first + i, steps[i], i + 1 < steps.Count ? first + i + 1 : after, null, null, depth));
            _paths[string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{prefix}{i}")] = first + i;
        }

        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i] is ConditionStep condition)
            {
                var node = _nodes[first + i];
                var path = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{prefix}{i}");
                var then = Emit(condition.Then, node.Next, depth + 1, $"{path}/then/");
                var @else = Emit(condition.Else, node.Next, depth + 1, $"{path}/else/");
                _nodes[first + i] = node with { Then = then, Else = @else };
            }
        }

        return first;
    }
}

/// <summary>One step of a compiled workflow: where to go next (or to Then/Else for a condition); null ends the run.</summary>
public sealed record ProgramNode(int Index, WorkflowStep Step, int? Next, int? Then, int? Else, int Depth);
