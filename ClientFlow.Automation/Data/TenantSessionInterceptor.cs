using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace ClientFlow.Automation.Data;

/// <summary>
/// PostgreSQL row-level security input: every connection the context opens carries the tenant in
/// scope (<c>clientflow.tenant_id</c>) and whether the audited admin path reads across tenants
/// (<c>clientflow.cross_tenant</c>). The policies in <see cref="RowLevelSecurity"/> read both.
/// </summary>
internal sealed class TenantSessionInterceptor : DbConnectionInterceptor
{
    private const string Sql =
        "SELECT set_config('clientflow.tenant_id', @tenant, false), set_config('clientflow.cross_tenant', @cross, false)";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = CreateCommand(connection, eventData);
        command?.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = CreateCommand(connection, eventData);
        if (command is not null)
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static NpgsqlCommand? CreateCommand(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (eventData.Context is not ClientFlowDbContext db || connection is not NpgsqlConnection npgsql)
        {
            return null;
        }

        var command = new NpgsqlCommand(Sql, npgsql);
        command.Parameters.AddWithValue("tenant", db.CurrentTenantId?.ToString() ?? string.Empty);
        command.Parameters.AddWithValue("cross", db.IsReadingAcrossTenants ? "on" : "off");
        return command;
    }
}
