namespace ClientFlow.Automation.Leads;

/// <summary>What happens when a second IB captures an email another IB already has.</summary>
public enum CapturePolicy
{
    /// <summary>Each IB gets its own lead; the one Systeme.io contact carries both prefixes' tags.</summary>
    Shared,

    /// <summary>The second IB is refused: "already registered with another IB".</summary>
    Exclusive,
}
