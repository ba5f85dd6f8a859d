namespace ClientFlow.Automation.Notifications;

/// <summary>The JSON body of a notification webhook (snake_case on the wire).</summary>
public sealed record Notification(
    string Url,
    string Event,
    Guid WorkflowId,
    string WorkflowName,
    Guid RunId,
    Guid LeadId,
    string LeadEmail,
    string? LeadName,
    string Message);
