using Microsoft.EntityFrameworkCore.Migrations;

namespace ClientFlow.Automation.Data;

/// <summary>
/// The fourth isolation layer (PostgreSQL only): a policy per tenant table keyed on the
/// per-connection settings written by <see cref="TenantSessionInterceptor"/>, forced so that the
/// table owner is bound by it too. Only a superuser or a BYPASSRLS role escapes it.
/// Every migration that adds a tenant table calls <see cref="Enable"/> for it.
/// </summary>
public static class RowLevelSecurity
{
    public const string PolicyName = "tenant_isolation";

    private const string CurrentTenant = "NULLIF(current_setting('clientflow.tenant_id', true), '')::uuid";
    private const string CrossTenantRead = "current_setting('clientflow.cross_tenant', true) = 'on'";

    public static void Enable(MigrationBuilder migrationBuilder, string table)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.Sql($"""
            ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY;
            ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY;
            CREATE POLICY {PolicyName} ON "{table}"
                USING ("TenantId" = {CurrentTenant} OR {CrossTenantRead})
                WITH CHECK ("TenantId" = {CurrentTenant});
            """);
    }

    public static void Disable(MigrationBuilder migrationBuilder, string table)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.Sql($"""
            DROP POLICY IF EXISTS {PolicyName} ON "{table}";
            ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY;
            ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY;
            """);
    }
}
