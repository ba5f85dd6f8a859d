using ClientFlow.Automation.Templates;

namespace ClientFlow.Tests.Unit.Templates;

public sealed class TemplateCompilerTests
{
    public static TheoryData<string> ListedVariables => [.. TemplateVariables.All.Select(v => v.Name)];

    [Theory]
    [MemberData(nameof(ListedVariables))]
    public void Check_Accepts_EveryListedVariable(string variable) =>
        Assert.Empty(TemplateCompiler.Check(TemplateField.HtmlBody, $"<p>{{{{ {variable} }}}}</p>"));

    [Theory]
    [InlineData("Hello, no code at all.")]
    [InlineData("{{ x = 1 }}{{ x }}")]
    [InlineData("{{ x }}{{ x = 1 }}")]
    [InlineData("{{ greeting = 'Hi ' + first_name }}{{ greeting }}")]
    [InlineData("{{ for item in [1, 2] }}{{ item }}{{ end }}")]
    [InlineData("{{ for item in [1, 2] }}{{ for.index }}{{ if for.last }}.{{ end }}{{ end }}")]
    [InlineData("{{ while true }}{{ if while.index > 2 }}{{ break }}{{ end }}{{ end }}")]
    [InlineData("{{ tablerow cell in [1, 2] }}{{ cell }}{{ tablerow.col }}{{ end }}")]
    [InlineData("{{ func greet(name) }}Hi {{ name }}{{ end }}{{ greet first_name }}")]
    [InlineData("{{ func twice }}{{ $0 }}{{ $0 }}{{ end }}{{ twice 'a' }}")]
    [InlineData("{{ capture signature }}{{ ib.name }}{{ end }}{{ signature }}")]
    [InlineData("{{ first_name | string.upcase }}")]
    [InlineData("{{ string.upcase first_name }}")]
    [InlineData("{{ date.now | date.to_string '%Y-%m-%d' }}")]
    [InlineData("{{ first_name | string.default 'there' }}")]
    [InlineData("{{ first_name | object.default 'there' }}")]
    [InlineData("{{ ib.name }} <{{ ib.email }}>")]
    [InlineData("{{ if first_name }}Hi {{ first_name }}{{ else }}Hi there{{ end }}")]
    [InlineData("{{ html.escape email }} {{ math.round 1.5 }} {{ array.size [1] }}")]
    public void Check_Accepts_BuiltinsAndNamesTheTemplateDefines(string source) =>
        Assert.Empty(TemplateCompiler.Check(TemplateField.HtmlBody, source));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Check_ReturnsNoErrors_WhenEmpty(string? source) =>
        Assert.Empty(TemplateCompiler.Check(TemplateField.TextBody, source));

    [Theory]
    // Scriban reports a missing end where the block's body starts: just after the }} on line 2.
    [InlineData("Line one\n{{ if first_name }}Hello", 2, 20)]
    [InlineData("Line one\r\n{{ if first_name }}Hello", 2, 20)]
    // Column 9 is the }} where the condition should be.
    [InlineData("Line one\n  {{ if }}{{ end }}", 2, 9)]
    [InlineData("{{ 1 + }}", 1, 8)]
    public void Check_ReportsParseError_WithOneBasedLineAndColumn(string source, int line, int column)
    {
        var error = Assert.Single(TemplateCompiler.Check(TemplateField.HtmlBody, source));

        Assert.Equal(TemplateField.HtmlBody, error.Field);
        Assert.Equal(line, error.Line);
        Assert.Equal(column, error.Column);
        Assert.StartsWith($"Line {line}, column {column}: ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_RefusesUnknownVariable_AtItsPosition()
    {
        var error = Assert.Single(TemplateCompiler.Check(TemplateField.HtmlBody, "Hello,\n\n  {{ frist_name }}"));

        Assert.Equal(TemplateField.HtmlBody, error.Field);
        Assert.Equal(3, error.Line);
        Assert.Equal(6, error.Column);
        Assert.Contains("'frist_name'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Use one of: first_name,", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_RefusesUnknownIbMember_Once()
    {
        var error = Assert.Single(TemplateCompiler.Check(TemplateField.Subject, "Hi {{ ib.foo }}"));

        Assert.Equal(TemplateField.Subject, error.Field);
        Assert.Equal(1, error.Line);
        Assert.Equal(7, error.Column);
        Assert.Contains("'ib.foo'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{{ first_name | string.upcasee }}", "string.upcasee", 17)]
    [InlineData("{{ string.upcasee first_name }}", "string.upcasee", 4)]
    [InlineData("{{ date.nowz }}", "date.nowz", 4)]
    public void Check_RefusesUnknownFunction_Once(string source, string function, int column)
    {
        var error = Assert.Single(TemplateCompiler.Check(TemplateField.HtmlBody, source));

        Assert.Equal(1, error.Line);
        Assert.Equal(column, error.Column);
        Assert.Contains($"'{function}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{{ import ib }}", "import")]
    [InlineData("{{ include 'header' }}", "include")]
    [InlineData("{{ include_join ['a', 'b'] }}", "include_join")]
    [InlineData("{{ x = include }}", "include")]
    [InlineData("{{ with ib }}{{ end }}", "with")]
    public void Check_RefusesImportIncludeAndWith(string source, string keyword)
    {
        var errors = TemplateCompiler.Check(TemplateField.TextBody, source);

        var error = Assert.Single(errors);
        Assert.Equal(TemplateField.TextBody, error.Field);
        Assert.Equal($"{keyword} is not allowed in email templates.", error.Message);
        Assert.Equal(1, error.Line);
    }

    [Fact]
    public void Check_ReportsEveryError_InSourceOrder()
    {
        var errors = TemplateCompiler.Check(TemplateField.HtmlBody, "{{ import ib }}\n{{ ib.foo }} {{ frist_name }}");

        Assert.Collection(
            errors,
            e => Assert.Equal((1, 4), (e.Line, e.Column)),
            e => Assert.Equal((2, 4), (e.Line, e.Column)),
            e => Assert.Equal((2, 17), (e.Line, e.Column)));
    }
}
