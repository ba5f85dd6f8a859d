using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace ClientFlow.Automation.Data;

public abstract partial class ClientFlowDbContext
{
    /// <summary>
    /// Parameters per statement of <see cref="InsertAddedAsync"/>, so rows per statement are this divided by the table's
    /// columns. Large statements save round trips on a server; SQLite's override is small for a reason of its own.
    /// </summary>
    private protected virtual int ParametersPerInsert => 2_000;

    /// <summary>Rows per statement of <see cref="InsertAddedAsync"/> for an entity type.</summary>
    internal int RowsPerInsert(Type type) => RowsPerStatement(InsertColumns(Model.FindEntityType(type)!).Count);

    /// <summary>
    /// Writes the added entities of <paramref name="types"/> (in that order: parents first) with multi-row INSERTs of
    /// <see cref="RowsPerInsert"/> rows, then marks them saved; the caller's <c>SaveChanges</c> writes the rest. Runs in
    /// the caller's transaction (rows that take one statement may go without one on an open connection: a statement is
    /// atomic), after the same tenant checks as <c>SaveChanges</c>, with each value converted by its
    /// property's own type mapping (as <c>SaveChanges</c> converts it). A failure comes back as a
    /// <see cref="DbUpdateException"/>, as from <c>SaveChanges</c>, with nothing marked saved.
    /// </summary>
    /// <remarks>
    /// Why not <c>SaveChanges</c> for these: it sends one INSERT per row, and SQLite prepares every statement anew,
    /// compiling the table's triggers (the counters, the search index) into each. For a capture batch of 1,000 leads that
    /// was about 6,000 statements, each prepared and run once; here a statement writes several rows.
    /// </remarks>
    internal async Task InsertAddedAsync(IReadOnlyList<Type> types, CancellationToken cancellationToken)
    {
        using var detected = DetectChangesOnce();
        EnforceTenantOnWrites();
        var added = ChangeTracker.Entries().Where(e => e.State == EntityState.Added).ToLookup(e => e.Metadata.ClrType);
        var statements = types.Sum(type => added[type].Chunk(RowsPerInsert(type)).Count());
        var transaction = Database.CurrentTransaction?.GetDbTransaction();
        if (transaction is null && (statements > 1 || Database.GetDbConnection().State != System.Data.ConnectionState.Open))
        {
            throw new InvalidOperationException("Rows inserted in more than one statement are inserted inside the caller's transaction (one statement needs the connection open).");
        }

        var written = new List<EntityEntry>();
        foreach (var type in types)
        {
            var entries = added[type].ToList();
            if (entries.Count > 0)
            {
                await InsertAsync(Model.FindEntityType(type)!, entries, transaction, cancellationToken);
                written.AddRange(entries);
            }
        }

        foreach (var entry in written)
        {
            entry.State = EntityState.Unchanged;
        }
    }

    private async Task InsertAsync(IEntityType entityType, List<EntityEntry> entries, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        var columns = InsertColumns(entityType);
        var connection = Database.GetDbConnection();
        foreach (var chunk in entries.Chunk(RowsPerStatement(columns.Count)))
        {
            await using var command = Command(chunk.Length);
            for (var row = 0; row < chunk.Length; row++)
            {
                for (var column = 0; column < columns.Count; column++)
                {
                    var (property, _, mapping) = columns[column];
                    var value = chunk[row].CurrentValues[property];
                    command.Parameters.Add(mapping.CreateParameter(command, Placeholder(row, column), value, property.IsNullable));
                }
            }

            try
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (DbException ex)
            {
                throw new DbUpdateException($"Inserting {entityType.DisplayName()} rows failed.", ex);
            }
        }

        DbCommand Command(int rows)
        {
            var sql = new StringBuilder("INSERT INTO \"").Append(entityType.GetTableName()).Append("\" (")
                .AppendJoin(", ", columns.Select(c => $"\"{c.Column}\"")).Append(") VALUES ");
            for (var row = 0; row < rows; row++)
            {
                sql.Append(row == 0 ? "(" : ", (").AppendJoin(", ", columns.Select((_, column) => Placeholder(row, column))).Append(')');
            }

            var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql.ToString();
            command.CommandTimeout = Database.GetCommandTimeout() ?? command.CommandTimeout;
            return command;
        }

        string Placeholder(int row, int column) => $"@p{(row * columns.Count) + column}";
    }

    private int RowsPerStatement(int columns) => Math.Max(1, ParametersPerInsert / columns);

    /// <summary>The entity's properties stored in its table, with their columns and type mappings.</summary>
    private static List<(IProperty Property, string Column, RelationalTypeMapping Mapping)> InsertColumns(IEntityType entityType)
    {
        var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
        return [.. entityType.GetProperties()
            .Select(p => (Property: p, Column: p.GetColumnName(table), Mapping: p.GetRelationalTypeMapping()))
            .Where(c => c.Column is not null)
            .Select(c => (c.Property, c.Column!, c.Mapping))];
    }
}
