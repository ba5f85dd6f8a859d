namespace ClientFlow.Web.Hosting;

/// <summary><c>Demo:Password</c> and <c>Demo:ApiKeys:{John,Sarah,Mike}</c>: the Development demo seed.</summary>
public sealed class DemoOptions
{
    public const string SectionName = "Demo";
    public const string DefaultPassword = "ClientFlow!2026";

    public string Password { get; set; } = DefaultPassword;

    public Dictionary<string, string> ApiKeys { get; } = new(StringComparer.OrdinalIgnoreCase);
}
