namespace ClientFlow.Automation.Templates;

/// <summary>The three Scriban fields of a template, as named in errors.</summary>
public static class TemplateField
{
    public const string Subject = nameof(EmailTemplate.Subject);
    public const string HtmlBody = nameof(EmailTemplate.HtmlBody);
    public const string TextBody = nameof(EmailTemplate.TextBody);
}
