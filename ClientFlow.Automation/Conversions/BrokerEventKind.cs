namespace ClientFlow.Automation.Conversions;

/// <summary>What a broker reports about a referred trader (the postback's <c>event</c>).</summary>
public enum BrokerEventKind
{
    Registration = 1,

    /// <summary>First-time deposit: the lead is Funded.</summary>
    Ftd = 2,

    /// <summary>A later deposit: a funded lead that deposits again is Active.</summary>
    Deposit = 3,

    /// <summary>The trader met the broker's CPA bar.</summary>
    Qualified = 4,

    /// <summary>Takes back the event with the same <c>txid</c> (a declined commission, a charge-back).</summary>
    Reversal = 5,
}
