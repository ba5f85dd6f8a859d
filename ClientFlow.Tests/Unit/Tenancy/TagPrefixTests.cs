using ClientFlow.Automation.Tenancy;

namespace ClientFlow.Tests.Unit.Tenancy;

public sealed class TagPrefixTests
{
    [Fact]
    public void Generate_MatchesFormat_EveryTime()
    {
        var prefixes = Enumerable.Range(0, 5_000).Select(_ => TagPrefix.Generate()).ToList();

        Assert.All(prefixes, p => Assert.Matches("^ib-[a-z0-9]{8}-$", p));
        Assert.All(prefixes, p => Assert.Equal(TagPrefix.Length, p.Length));
    }

    [Fact]
    public void Generate_UsesWholeAlphabet_AndDoesNotRepeat()
    {
        var prefixes = Enumerable.Range(0, 5_000).Select(_ => TagPrefix.Generate()).ToList();
        var characters = prefixes.SelectMany(p => p[3..^1]).ToHashSet();

        // 40,000 draws from 36 symbols: every letter and digit shows up.
        Assert.Equal(36, characters.Count);
        Assert.Equal(prefixes.Count, prefixes.Distinct().Count());
    }

    [Theory]
    [InlineData("ib-a7x3k2m1-", true)]
    [InlineData("ib-00000000-", true)]
    [InlineData("ib-A7X3K2M1-", false)]
    [InlineData("ib-a7x3k2m-", false)]
    [InlineData("ib-a7x3k2m12-", false)]
    [InlineData("ib-a7x3k2m1", false)]
    [InlineData("xx-a7x3k2m1-", false)]
    [InlineData("ib-a7x3_2m1-", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsValid_AcceptsOnlyTheFormat(string? prefix, bool expected) =>
        Assert.Equal(expected, TagPrefix.IsValid(prefix));
}
