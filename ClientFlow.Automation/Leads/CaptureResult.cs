namespace ClientFlow.Automation.Leads;

public sealed record CaptureResult(CaptureStatus Status, Lead? Lead, IReadOnlyDictionary<string, string[]> Errors)
{
    public const string LimitReachedMessage = "This IB has reached its lead limit.";
    public const string TakenMessage = "This email is already registered with another IB.";
    public const string ErasedMessage = "This person asked to be erased: they can come back only by filling in the hosted form themselves.";

    public bool Succeeded => Status is CaptureStatus.Created or CaptureStatus.Existing;

    /// <summary>One sentence for a person, for any refusal.</summary>
    public string? Refusal => Status switch
    {
        CaptureStatus.LimitReached => LimitReachedMessage,
        CaptureStatus.TakenByAnotherIb => TakenMessage,
        CaptureStatus.Erased => ErasedMessage,
        CaptureStatus.Invalid => string.Join(" ", Errors.SelectMany(e => e.Value)),
        _ => null,
    };

    internal static CaptureResult Of(CaptureStatus status, Lead? lead = null) => new(status, lead, new Dictionary<string, string[]>());
}
