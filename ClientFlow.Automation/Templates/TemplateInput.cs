namespace ClientFlow.Automation.Templates;

/// <summary>What the editor submits.</summary>
public sealed record TemplateInput(string? Name, string? Subject, string? HtmlBody, string? TextBody);
