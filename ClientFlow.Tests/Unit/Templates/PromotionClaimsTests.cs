using ClientFlow.Automation.Templates;

namespace ClientFlow.Tests.Unit.Templates;

/// <summary>Claims financial-promotion rules forbid, found at their line and column; ordinary risk language is not flagged.</summary>
public sealed class PromotionClaimsTests
{
    [Fact]
    public void Claims_AreFoundAtTheirLineAndColumn()
    {
        var found = PromotionClaims.Find(TemplateField.HtmlBody, "<p>Hello</p>\n<p>A risk-free start and Guaranteed Profits!</p>\n<p>You can’t lose.</p>").ToList();

        Assert.Equal([(2, 6), (2, 26), (3, 8)], found.Select(f => (f.Line, f.Column)));
        Assert.All(found, f => Assert.Equal(TemplateField.HtmlBody, f.Field));
        Assert.StartsWith("\"risk-free\" is a claim", found[0].Message, StringComparison.Ordinal);
        Assert.StartsWith("\"Guaranteed Profits\"", found[1].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CFDs are complex instruments and come with a high risk of losing money rapidly.")]
    [InlineData("There are no risks we hide from you.")]
    [InlineData("Past performance is no guarantee of future results.")]
    public void TheRiskWarningsThemselves_AreNotFlagged(string text) =>
        Assert.Empty(PromotionClaims.Find(TemplateField.TextBody, text));
}
