namespace ClientFlow.Automation.Tenancy;

/// <summary>Where new prefixes come from: a seam so collision handling can be tested.</summary>
public interface ITagPrefixGenerator
{
    string NewPrefix();
}

internal sealed class RandomTagPrefixGenerator : ITagPrefixGenerator
{
    public string NewPrefix() => TagPrefix.Generate();
}
