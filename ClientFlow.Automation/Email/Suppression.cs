namespace ClientFlow.Automation.Email;

/// <summary>
/// A platform-wide stop for one address: no IB's email goes to it again, whatever the IB. The shared sender's
/// reputation is every IB's, so a mailbox that does not exist (a hard bounce, at send time or reported by the SMTP
/// provider), a complaint, or a reader who asked to stop all email from the service ends every IB's mail to it. Kept as
/// a hash of the address, so the list can outlive the lead's personal data. Not tenant-owned: it is the platform's.
/// </summary>
public sealed class Suppression
{
    /// <summary>Lowercase hex SHA-256 of the trimmed, lowercased address (<see cref="Suppressions.HashOf"/>).</summary>
    public required string AddressHash { get; set; }

    public SuppressionReason Reason { get; set; }

    /// <summary>What said so: the SMTP reply or the provider's event, without the address.</summary>
    public required string Detail { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

public enum SuppressionReason
{
    HardBounce,
    Complaint,
    StoppedAll,
}
