using ClientFlow.Automation.Workflows;

namespace ClientFlow.Web.Pages.Workflows;

/// <summary>One list of the step tree for <c>_StepList</c>: its steps and their path prefix (<c>""</c>, <c>2/then/</c>).</summary>
public sealed record StepListView(IReadOnlyList<WorkflowStep> Steps, string Prefix, IReadOnlyDictionary<Guid, string> TemplateNames);
