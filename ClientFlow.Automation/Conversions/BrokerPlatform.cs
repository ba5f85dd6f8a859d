namespace ClientFlow.Automation.Conversions;

/// <summary>The affiliate platform a broker connection reports through; each names the postback's fields its own way (<see cref="BrokerPresets"/>).</summary>
public enum BrokerPlatform
{
    /// <summary>Only the canonical names: <c>subid</c>, <c>event</c>, <c>amount</c>, <c>currency</c>, <c>txid</c>, <c>uid</c>.</summary>
    Custom = 0,
    Cellxpert = 1,
    MyAffiliates = 2,
    Affise = 3,
    Everflow = 4,
    Scaleo = 5,
    Tune = 6,
}
