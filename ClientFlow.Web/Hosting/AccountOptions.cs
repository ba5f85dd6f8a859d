using System.ComponentModel.DataAnnotations;

namespace ClientFlow.Web.Hosting;

/// <summary><c>Accounts:*</c>: limits on signing up, which anyone can do.</summary>
public sealed class AccountOptions
{
    public const string SectionName = "Accounts";

    /// <summary>Sign-ups accepted per client address per hour (the real client behind a known proxy; see <see cref="ProxyHeaders"/>).</summary>
    [Range(1, 10_000)]
    public int SignUpsPerHour { get; set; } = 5;
}
