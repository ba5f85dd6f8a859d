using ClientFlow.Automation.Conversions;
using ClientFlow.Automation.Workflows;

namespace ClientFlow.Web.Pages.Workflows;

/// <summary>
/// One list of the step tree for <c>_StepList</c>: its steps, their path prefix (<c>""</c>, <c>2/then/</c>), and the
/// published version's figures by path.
/// </summary>
public sealed record StepListView(
    IReadOnlyList<WorkflowStep> Steps, string Prefix, IReadOnlyDictionary<Guid, string> TemplateNames, IReadOnlyDictionary<string, StepFigures> Figures);
