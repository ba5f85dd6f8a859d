using ClientFlow.Automation.Templates;

namespace ClientFlow.Tests.Unit.Templates;

/// <summary>The static <see cref="EmailTemplates.Validate"/>; saving goes through the database and is tested elsewhere.</summary>
public sealed class EmailTemplatesTests
{
    private const string Html = """
        <p>Hi {{ first_name | string.default "there" }},</p>
        {{ for step in ["one", "two"] }}<p>{{ for.index + 1 }}. {{ step | string.upcase }}</p>{{ end }}
        <p>{{ ib.name }} &lt;{{ ib.email }}&gt;, {{ date.now | date.to_string "%Y" }}</p>
        <a href="{{ unsubscribe_url }}">Unsubscribe</a>
        """;

    [Fact]
    public void Validate_ReturnsNoErrors_ForAValidTemplate()
    {
        var errors = EmailTemplates.Validate(new TemplateInput("Welcome", "Welcome, {{ first_name }}", Html, "Hi {{ full_name }}, from {{ ib.name }}"));

        Assert.Empty(errors);
    }

    [Fact]
    public void Validate_ReturnsNoErrors_WithoutTextBody()
    {
        Assert.Empty(EmailTemplates.Validate(new TemplateInput("Welcome", "Welcome", Html, null)));
        Assert.Empty(EmailTemplates.Validate(new TemplateInput("Welcome", "Welcome", Html, "")));
    }

    [Fact]
    public void Validate_RequiresNameSubjectAndHtmlBody()
    {
        var errors = EmailTemplates.Validate(new TemplateInput(null, "   ", "", null));

        Assert.Equal(
            [nameof(EmailTemplate.Name), TemplateField.Subject, TemplateField.HtmlBody],
            errors.Select(e => e.Field));
        Assert.All(errors, e => Assert.Equal("Required.", e.Message));
        Assert.All(errors, e => Assert.Equal((0, 0), (e.Line, e.Column)));
    }

    [Fact]
    public void Validate_RefusesFieldsOverTheirLength()
    {
        var errors = EmailTemplates.Validate(new TemplateInput(
            new string('n', EmailTemplate.MaxNameLength + 1),
            new string('s', EmailTemplate.MaxSubjectLength + 1),
            new string('h', EmailTemplate.MaxBodyLength + 1),
            new string('t', EmailTemplate.MaxBodyLength + 1)));

        Assert.Equal(
            [nameof(EmailTemplate.Name), TemplateField.Subject, TemplateField.HtmlBody, TemplateField.TextBody],
            errors.Select(e => e.Field));
        Assert.All(errors, e => Assert.StartsWith("Keep it under ", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_AcceptsFieldsAtTheirLength()
    {
        var errors = EmailTemplates.Validate(new TemplateInput(
            new string('n', EmailTemplate.MaxNameLength),
            new string('s', EmailTemplate.MaxSubjectLength),
            new string('h', EmailTemplate.MaxBodyLength),
            new string('t', EmailTemplate.MaxBodyLength)));

        Assert.Empty(errors);
    }

    [Fact]
    public void Validate_ReportsTemplateErrors_UnderTheirField()
    {
        var errors = EmailTemplates.Validate(new TemplateInput(
            "Welcome",
            "Hi {{ frist_name }}",
            "<p>\n{{ ib.foo }}</p>",
            "{{ if first_name }}"));

        Assert.Collection(
            errors,
            e => Assert.Equal((TemplateField.Subject, 1, 7), (e.Field, e.Line, e.Column)),
            e => Assert.Equal((TemplateField.HtmlBody, 2, 4), (e.Field, e.Line, e.Column)),
            e => Assert.Equal((TemplateField.TextBody, 1, 18), (e.Field, e.Line, e.Column)));
        Assert.Contains("frist_name", errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("ib.foo", errors[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ReportsRequiredAndTemplateErrors_Together()
    {
        var errors = EmailTemplates.Validate(new TemplateInput("", "Hi {{ import ib }}", null, null));

        Assert.Equal(
            [(nameof(EmailTemplate.Name), 0), (TemplateField.HtmlBody, 0), (TemplateField.Subject, 1)],
            errors.Select(e => (e.Field, e.Line)));
    }
}
