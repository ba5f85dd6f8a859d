namespace ClientFlow.Automation.Templates;

/// <summary>A render stopped by an error or a sandbox limit, with where it happened (0 when not at a place).</summary>
public sealed class TemplateRenderException(int line, int column, string reason)
    : Exception(line > 0 ? $"Line {line}, column {column}: {reason}" : reason)
{
    public int Line { get; } = line;

    public int Column { get; } = column;

    public string Reason { get; } = reason;
}
