namespace ClientFlow.Automation.Tenancy;

/// <summary>What an IB promotes. Forex, CFD and crypto promotions must carry a regulator's risk warning.</summary>
public enum PromotedProduct
{
    /// <summary>Anything else (education, signals, stocks without leverage): no warning is required, one may still be chosen.</summary>
    Other = 0,
    Forex = 1,
    Cfd = 2,
    Crypto = 3,
}

/// <summary>The risk warning an IB's marketing emails carry above their footer.</summary>
public enum RiskWarningKind
{
    None = 0,

    /// <summary>FCA COBS 22.5.9R, with the provider's own percentage of retail accounts that lose money.</summary>
    FcaCfd = 1,

    /// <summary>FCA COBS 4.12A's cryptoasset warning.</summary>
    FcaCrypto = 2,

    /// <summary>The IB's own words (another regulator's, or another language).</summary>
    Custom = 3,
}

/// <summary>The preset warnings, verbatim, and whether an IB must have one.</summary>
public static class RiskWarnings
{
    public const int MaxCustomLength = 1000;

    /// <summary>FCA COBS 22.5.9R; <c>{0}</c> is the provider's percentage of retail investor accounts that lose money.</summary>
    public const string FcaCfdFormat =
        "CFDs are complex instruments and come with a high risk of losing money rapidly due to leverage. {0}% of retail investor accounts lose money when trading CFDs with this provider. You should consider whether you understand how CFDs work and whether you can afford to take the high risk of losing your money.";

    private static readonly System.Text.CompositeFormat FcaCfd = System.Text.CompositeFormat.Parse(FcaCfdFormat);

    /// <summary>FCA COBS 4.12A.</summary>
    public const string FcaCrypto =
        "Don't invest unless you're prepared to lose all the money you invest. This is a high-risk investment and you should not expect to be protected if something goes wrong. Take 2 minutes to learn more.";

    public const string Undeclared =
        "Say what you promote in Settings first (forex, CFDs, crypto or something else): forex, CFD and crypto promotions must carry a risk warning.";

    public const string Missing =
        "Choose the risk warning your emails carry in Settings first: promotions of forex, CFDs and crypto must carry one.";

    /// <summary>The FCA's CFD warning with the provider's percentage of retail accounts that lose money.</summary>
    public static string FcaCfdWarning(int percent) => string.Format(System.Globalization.CultureInfo.InvariantCulture, FcaCfd, percent);

    /// <summary>Forex, CFD and crypto promotions need a warning before any workflow turns ON.</summary>
    public static bool IsRequired(PromotedProduct? promotes) => promotes is PromotedProduct.Forex or PromotedProduct.Cfd or PromotedProduct.Crypto;

    /// <summary>The words of the tenant's warning, or null when it has none (or an incomplete one).</summary>
    public static string? TextOf(Tenant tenant) => tenant.RiskWarning switch
    {
        RiskWarningKind.FcaCfd when tenant.RiskWarningPercent is { } percent => FcaCfdWarning(percent),
        RiskWarningKind.FcaCrypto => FcaCrypto,
        RiskWarningKind.Custom when !string.IsNullOrWhiteSpace(tenant.RiskWarningText) => tenant.RiskWarningText.Trim(),
        _ => null,
    };

    /// <summary>Null when the tenant may send marketing email as far as promotion rules go; else why not.</summary>
    public static string? RefusalFor(Tenant tenant) => tenant.Promotes is null
        ? Undeclared
        : IsRequired(tenant.Promotes) && TextOf(tenant) is null ? Missing : null;
}
