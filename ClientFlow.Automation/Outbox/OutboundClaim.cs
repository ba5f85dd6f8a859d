namespace ClientFlow.Automation.Outbox;

/// <summary>A worker's hold on one outbox row: who holds it and until when. Only the owner moves the row on.</summary>
public sealed record OutboundClaim(Guid Owner, DateTimeOffset Until);
