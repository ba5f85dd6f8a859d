namespace ClientFlow.Web.Hosting;

/// <summary><c>Demo:Password</c>, <c>Demo:ApiKeys:{John,Sarah,Mike}</c> and <c>Demo:PostbackTokens:{John,Sarah,Mike}</c>: the Development demo seed.</summary>
public sealed class DemoOptions
{
    public const string SectionName = "Demo";
    public const string DefaultPassword = "ClientFlow!2026";

    public string Password { get; set; } = DefaultPassword;

    public Dictionary<string, string> ApiKeys { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary><c>Demo:PostbackTokens:{John,Sarah,Mike}</c>: the postback token of each demo IB's demo broker connection (generated and printed when absent).</summary>
    public Dictionary<string, string> PostbackTokens { get; } = new(StringComparer.OrdinalIgnoreCase);
}
