namespace ClientFlow.Automation.Templates;

public enum TemplateFormat
{
    /// <summary>One line: line breaks become spaces.</summary>
    Subject,

    /// <summary>Lead values are HTML-encoded.</summary>
    Html,

    Text,
}
