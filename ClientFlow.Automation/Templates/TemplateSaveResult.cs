namespace ClientFlow.Automation.Templates;

/// <summary>The saved template, or the errors that refused it (field, line, column, message).</summary>
public sealed record TemplateSaveResult(EmailTemplate? Template, IReadOnlyList<TemplateError> Errors, bool LimitReached = false)
{
    public bool Succeeded => Template is not null;
}
