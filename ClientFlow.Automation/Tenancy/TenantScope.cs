namespace ClientFlow.Automation.Tenancy;

/// <summary>
/// The scoped, switchable tenant context. Code enters a tenant explicitly
/// (<c>using (tenantScope.Enter(id))</c>) and the previous tenant comes back on dispose.
/// HTTP requests enter the signed-in user's tenant; background jobs enter the tenant of their arguments.
/// </summary>
public sealed class TenantScope : ITenantContext
{
    public Guid? TenantId { get; private set; }

    public IDisposable Enter(Guid tenantId)
    {
        if (tenantId == Guid.Empty)
        {
            throw new ArgumentException("A tenant scope needs a tenant id.", nameof(tenantId));
        }

        var previous = TenantId;
        TenantId = tenantId;
        return new Exit(this, previous);
    }

    private sealed class Exit(TenantScope scope, Guid? previous) : IDisposable
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
        }
    }
}
