namespace ClientFlow.Automation.Templates;

/// <summary>A problem in one field of a template, at a 1-based line and column.</summary>
public sealed record TemplateError(string Field, int Line, int Column, string Message)
{
    public override string ToString() => Line > 0 ? $"Line {Line}, column {Column}: {Message}" : Message;
}
