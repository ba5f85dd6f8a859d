namespace ClientFlow.Automation.Systeme;

public sealed record SystemeViolation(string PropertyPath, string Message);
