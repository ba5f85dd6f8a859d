namespace ClientFlow.Automation.Tenancy;

/// <summary>
/// The scoped, switchable tenant context. Code enters a tenant explicitly
/// (<c>using (tenantScope.Enter(id))</c>) and the previous tenant comes back on dispose.
/// HTTP requests enter the signed-in user's tenant; background jobs enter the tenant of their arguments.
/// </summary>
public sealed class TenantScope : ITenantContext
{
    public Guid? TenantId { get; private set; }

    /// <summary>True inside <see cref="Inspect"/>: the tenant's rows can be read and none written.</summary>
    public bool IsReadOnly { get; private set; }

    public IDisposable Enter(Guid tenantId) => Switch(tenantId, readOnly: false);

    /// <summary>
    /// Enters a tenant to look, not to act: the admin's troubleshooting view (<see cref="TenantInspection"/>). The
    /// tenant filter and row-level security show exactly that tenant's rows, and saving any of them is refused.
    /// </summary>
    public IDisposable Inspect(Guid tenantId) => Switch(tenantId, readOnly: true);

    private Exit Switch(Guid tenantId, bool readOnly)
    {
        if (tenantId == Guid.Empty)
        {
            throw new ArgumentException("A tenant scope needs a tenant id.", nameof(tenantId));
        }

        var exit = new Exit(this, TenantId, IsReadOnly);
        TenantId = tenantId;
        IsReadOnly = readOnly;
        return exit;
    }

    private sealed class Exit(TenantScope scope, Guid? previous, bool wasReadOnly) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            scope.TenantId = previous;
            scope.IsReadOnly = wasReadOnly;
        }
    }
}
