namespace ClientFlow.Automation.Leads;

public enum CaptureStatus
{
    /// <summary>A new lead.</summary>
    Created,

    /// <summary>The tenant already had this email: the lead is kept, with any new tags.</summary>
    Existing,

    Invalid,

    /// <summary>The tenant is at its lead limit.</summary>
    LimitReached,

    /// <summary>Exclusive policy: another IB already has this email.</summary>
    TakenByAnotherIb,

    /// <summary>The IB erased this person at their request; only their own hosted-form submission brings them back.</summary>
    Erased,
}
