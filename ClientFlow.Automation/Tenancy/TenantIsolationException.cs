namespace ClientFlow.Automation.Tenancy;

/// <summary>A write that would cross tenants, or a tenant-owned write with no tenant in scope.</summary>
public sealed class TenantIsolationException(string message) : InvalidOperationException(message);
