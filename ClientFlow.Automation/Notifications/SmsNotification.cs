namespace ClientFlow.Automation.Notifications;

public sealed record SmsNotification(string To, string Body);
