using System.Globalization;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Leads;
using Microsoft.EntityFrameworkCore.Migrations;

namespace ClientFlow.Automation.Counters;

/// <summary>
/// What each <see cref="TenantCounter"/> counts, and the triggers that keep it: a row of the counted table that enters
/// the condition (inserted, or updated into it) adds one to its IB's count, one that leaves it (deleted, or updated out
/// of it) takes one away, in the statement's own transaction. A migration calls <see cref="CreateForSqlite"/> or
/// <see cref="CreateForPostgres"/> with the counts it adds (named, so that a later count does not change what an
/// earlier migration creates); both also count the rows already there.
/// </summary>
public static class TenantCounterTriggers
{
    /// <summary>Rows per count on PostgreSQL (the connection's backend picks one); SQLite has one writer and one row.</summary>
    public const int Shards = 16;

    public const string Leads = "leads";
    public const string LeadsNurtured = "leads-nurtured";
    public const string LeadsConverted = "leads-converted";
    public const string WorkflowEmailsSent = "workflow-emails-sent";
    public const string RunsInProgress = "runs-in-progress";

    /// <summary>
    /// Per workflow: its runs not yet ended (running, waiting or paused), kept as <c>runs-live:{workflow id}</c>; read
    /// with <see cref="TenantCounterQueries.LiveRunsPerWorkflowAsync"/>.
    /// </summary>
    public const string LiveRunsPerWorkflow = "runs-live";

    /// <summary>Per month of creation (UTC): the leads created in it and still there, kept as <c>leads-month:yyyy-MM</c>.</summary>
    public const string LeadsPerMonth = "leads-month";

    /// <summary>The name of the count of leads created in the month of <paramref name="time"/> (UTC).</summary>
    public static string LeadsCreatedIn(DateTimeOffset time) =>
        string.Create(CultureInfo.InvariantCulture, $"{LeadsPerMonth}:{time.UtcDateTime:yyyy-MM}");

    /// <summary>The counts the first counters migration created.</summary>
    public static readonly string[] Initial = [Leads, LeadsNurtured, LeadsConverted, WorkflowEmailsSent, RunsInProgress];

    /// <summary>A key that splits a count in many, as SQL over <c>@row</c> on each database.</summary>
    private sealed record Key(string Sqlite, string Postgres);

    /// <summary>A uuid column, lower case on both databases (SQLite keeps a Guid as upper-case text).</summary>
    private static Key Column(string column) => new($"""lower(@row."{column}")""", $"""@row."{column}"::text""");

    /// <summary>
    /// The UTC month (<c>yyyy-MM</c>) of a <see cref="DateTimeOffset"/> column. SQLite keeps it as EF's binary form:
    /// the clock's ticks / 1,000 shifted left 11 bits, and the offset in minutes (signed) in those bits.
    /// </summary>
    private static Key Month(string column) => new(
        $"""strftime('%Y-%m', (@row."{column}" >> 11) / 10000 - 62135596800 - 60 * (CASE WHEN @row."{column}" & 1024 THEN (@row."{column}" & 2047) - 2048 ELSE @row."{column}" & 2047 END), 'unixepoch')""",
        $"""to_char(@row."{column}" AT TIME ZONE 'UTC', 'YYYY-MM')""");

    /// <summary>
    /// A count: its name, the table it counts and the condition a row meets (<c>@row</c> stands for the row). With
    /// <paramref name="Per"/>, one count per value of that key, named <c>{Name}:{key}</c>.
    /// </summary>
    private sealed record Count(string Name, string Table, string? Condition, Key? Per = null)
    {
        public string On(string row) => Condition?.Replace("@row", row, StringComparison.Ordinal) ?? "TRUE";

        /// <summary>The stored name, as SQL.</summary>
        public string NameOf(string row, bool postgres) => Per is null ? $"'{Name}'" : $"'{Name}:' || {KeyOf(row, postgres)}";

        public string KeyOf(string row, bool postgres) => (postgres ? Per!.Postgres : Per!.Sqlite).Replace("@row", row, StringComparison.Ordinal);

        public string Identifier => Name.Replace('-', '_');

        public string Trigger(string operation) => $"TenantCounters_{Identifier}_{operation}";
    }

    private static readonly Count[] Counts =
    [
        new(Leads, "Leads", null),
        new(LeadsNurtured, "Leads", $"""@row."Status" IN ('{nameof(LeadStatus.Nurturing)}', '{nameof(LeadStatus.Engaged)}')"""),
        new(LeadsConverted, "LeadTags", $"""@row."Slug" = '{CaptureTags.Converted}'"""),
        new(WorkflowEmailsSent, "EmailMessages", $"""@row."Kind" = '{nameof(EmailKind.Workflow)}' AND @row."Status" = '{nameof(EmailStatus.Sent)}'"""),
        new(RunsInProgress, "WorkflowRuns", $"""@row."Status" IN ('{nameof(RunStatus.Running)}', '{nameof(RunStatus.Waiting)}')"""),
        new(LiveRunsPerWorkflow, "WorkflowRuns",
            $"""@row."Status" IN ('{nameof(RunStatus.Running)}', '{nameof(RunStatus.Waiting)}', '{nameof(RunStatus.Paused)}')""", Column("WorkflowId")),
        new(LeadsPerMonth, "Leads", null, Month("CreatedAt")),
    ];

    private static IEnumerable<Count> Named(string[] names) =>
        names.Select(name => Counts.SingleOrDefault(c => c.Name == name) ?? throw new ArgumentException($"No count is named {name}.", nameof(names)));

    public static void CreateForSqlite(MigrationBuilder migrationBuilder, params string[] names)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        foreach (var count in Named(names))
        {
            var add = $"""
                INSERT INTO "TenantCounters" ("TenantId", "Name", "Shard", "Value") VALUES (@row."TenantId", {count.NameOf("@row", postgres: false)}, 0, @delta)
                    ON CONFLICT ("TenantId", "Name", "Shard") DO UPDATE SET "Value" = "Value" + excluded."Value";
                """;
            migrationBuilder.Sql($"""
                CREATE TRIGGER "{count.Trigger("insert")}" AFTER INSERT ON "{count.Table}" WHEN {count.On("NEW")}
                BEGIN {add.Replace("@row", "NEW", StringComparison.Ordinal).Replace("@delta", "1", StringComparison.Ordinal)} END;
                """);
            migrationBuilder.Sql($"""
                CREATE TRIGGER "{count.Trigger("delete")}" AFTER DELETE ON "{count.Table}" WHEN {count.On("OLD")}
                BEGIN {add.Replace("@row", "OLD", StringComparison.Ordinal).Replace("@delta", "-1", StringComparison.Ordinal)} END;
                """);
            if (count.Condition is not null)
            {
                migrationBuilder.Sql($"""
                    CREATE TRIGGER "{count.Trigger("update")}" AFTER UPDATE ON "{count.Table}" WHEN ({count.On("NEW")}) IS NOT ({count.On("OLD")})
                    BEGIN {add.Replace("@row", "NEW", StringComparison.Ordinal).Replace("@delta", $"CASE WHEN {count.On("NEW")} THEN 1 ELSE -1 END", StringComparison.Ordinal)} END;
                    """);
            }

            migrationBuilder.Sql(Backfill(count, postgres: false));
        }
    }

    /// <summary>
    /// The backfill reads across tenants (it sets <c>clientflow.cross_tenant</c> for its transaction) and writes every
    /// tenant's counters: run it before row-level security is enabled on the counters, or with it not forced.
    /// </summary>
    public static void CreateForPostgres(MigrationBuilder migrationBuilder, params string[] names)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.Sql("SELECT set_config('clientflow.cross_tenant', 'on', true);");
        foreach (var count in Named(names))
        {
            var function = $"tenant_counter_{count.Identifier}";
            migrationBuilder.Sql($"""
                CREATE FUNCTION "{function}"() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    delta integer := (CASE WHEN TG_OP <> 'DELETE' AND ({count.On("NEW")}) THEN 1 ELSE 0 END)
                        - (CASE WHEN TG_OP <> 'INSERT' AND ({count.On("OLD")}) THEN 1 ELSE 0 END);
                BEGIN
                    IF delta <> 0 THEN
                        INSERT INTO "TenantCounters" ("TenantId", "Name", "Shard", "Value")
                        VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD."TenantId" ELSE NEW."TenantId" END,
                            CASE WHEN TG_OP = 'DELETE' THEN {count.NameOf("OLD", postgres: true)} ELSE {count.NameOf("NEW", postgres: true)} END,
                            pg_backend_pid() % {Shards}, delta)
                        ON CONFLICT ("TenantId", "Name", "Shard") DO UPDATE SET "Value" = "TenantCounters"."Value" + excluded."Value";
                    END IF;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER "{count.Trigger("insert")}" AFTER INSERT ON "{count.Table}"
                    FOR EACH ROW WHEN ({count.On("NEW")}) EXECUTE FUNCTION "{function}"();
                CREATE TRIGGER "{count.Trigger("delete")}" AFTER DELETE ON "{count.Table}"
                    FOR EACH ROW WHEN ({count.On("OLD")}) EXECUTE FUNCTION "{function}"();
                """);
            if (count.Condition is not null)
            {
                migrationBuilder.Sql($"""
                    CREATE TRIGGER "{count.Trigger("update")}" AFTER UPDATE ON "{count.Table}"
                        FOR EACH ROW WHEN (({count.On("NEW")}) IS DISTINCT FROM ({count.On("OLD")})) EXECUTE FUNCTION "{function}"();
                    """);
            }

            migrationBuilder.Sql(Backfill(count, postgres: true));
        }
    }

    /// <summary>
    /// Counts the rows a statement inserts once for the statement, on PostgreSQL. A per-row trigger upserted the same
    /// counter row once for every row, and within one transaction each upsert walks every earlier version of that row:
    /// an import batch of 1,000 leads and their runs cost a time growing with the square of its size
    /// (docs/benchmarks.md, 2026-12-01). Updates and deletes keep their per-row triggers, which fire only for a row
    /// entering or leaving the condition.
    /// </summary>
    public static void CountInsertsPerStatementForPostgres(MigrationBuilder migrationBuilder, params string[] names)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        foreach (var count in Named(names))
        {
            migrationBuilder.Sql($"""
                DROP TRIGGER "{count.Trigger("insert")}" ON "{count.Table}";
                CREATE FUNCTION "{InsertedFunction(count)}"() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO "TenantCounters" ("TenantId", "Name", "Shard", "Value")
                    SELECT inserted."TenantId", {count.NameOf("inserted", postgres: true)}, pg_backend_pid() % {Shards}, COUNT(*)
                    FROM inserted WHERE {count.On("inserted")}
                    GROUP BY 1, 2
                    ON CONFLICT ("TenantId", "Name", "Shard") DO UPDATE SET "Value" = "TenantCounters"."Value" + excluded."Value";
                    RETURN NULL;
                END $$;
                CREATE TRIGGER "{count.Trigger("insert")}" AFTER INSERT ON "{count.Table}"
                    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION "{InsertedFunction(count)}"();
                """);
        }
    }

    /// <summary>Undoes <see cref="CountInsertsPerStatementForPostgres"/>: the per-row insert triggers again.</summary>
    public static void CountInsertsPerRowForPostgres(MigrationBuilder migrationBuilder, params string[] names)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        foreach (var count in Named(names))
        {
            migrationBuilder.Sql($"""
                DROP TRIGGER "{count.Trigger("insert")}" ON "{count.Table}";
                DROP FUNCTION "{InsertedFunction(count)}"();
                CREATE TRIGGER "{count.Trigger("insert")}" AFTER INSERT ON "{count.Table}"
                    FOR EACH ROW WHEN ({count.On("NEW")}) EXECUTE FUNCTION "tenant_counter_{count.Identifier}"();
                """);
        }
    }

    private static string InsertedFunction(Count count) => $"tenant_counter_{count.Identifier}_inserted";

    /// <summary>
    /// A count added once the counters are under their forced policy: the owner running the migration is bound by it, so
    /// the policy is not forced while the backfill writes every tenant's rows.
    /// </summary>
    public static void AddForPostgres(MigrationBuilder migrationBuilder, string name)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.Sql("""ALTER TABLE "TenantCounters" NO FORCE ROW LEVEL SECURITY;""");
        CreateForPostgres(migrationBuilder, name);
        migrationBuilder.Sql("""ALTER TABLE "TenantCounters" FORCE ROW LEVEL SECURITY;""");
    }

    /// <summary>Undoes <see cref="AddForPostgres"/>: the count's triggers and rows.</summary>
    public static void RemoveForPostgres(MigrationBuilder migrationBuilder, string name)
    {
        DropForPostgres(migrationBuilder, name);
        migrationBuilder.Sql("SELECT set_config('clientflow.cross_tenant', 'on', true);");
        migrationBuilder.Sql(DeleteRows(name));
    }

    /// <summary>Undoes a <see cref="CreateForSqlite"/> of one count added later: its triggers and rows.</summary>
    public static void RemoveForSqlite(MigrationBuilder migrationBuilder, string name)
    {
        DropForSqlite(migrationBuilder, name);
        migrationBuilder.Sql(DeleteRows(name));
    }

    private static string DeleteRows(string name) => $"""DELETE FROM "TenantCounters" WHERE "Name" = '{name}' OR "Name" LIKE '{name}:%';""";

    /// <summary>Drops the triggers of the counts named (their rows stay; the migration that made the table drops it).</summary>
    public static void DropForSqlite(MigrationBuilder migrationBuilder, params string[] names) => Drop(migrationBuilder, postgres: false, names);

    public static void DropForPostgres(MigrationBuilder migrationBuilder, params string[] names) => Drop(migrationBuilder, postgres: true, names);

    private static void Drop(MigrationBuilder migrationBuilder, bool postgres, string[] names)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        foreach (var count in Named(names))
        {
            foreach (var operation in new[] { "insert", "delete", "update" })
            {
                migrationBuilder.Sql($"""DROP TRIGGER IF EXISTS "{count.Trigger(operation)}"{(postgres ? $" ON \"{count.Table}\"" : "")};""");
            }

            if (postgres)
            {
                migrationBuilder.Sql($"""DROP FUNCTION IF EXISTS "tenant_counter_{count.Identifier}"();""");
                migrationBuilder.Sql($"""DROP FUNCTION IF EXISTS "{InsertedFunction(count)}"();""");
            }
        }
    }

    /// <summary>The rows already there, counted into shard 0.</summary>
    private static string Backfill(Count count, bool postgres)
    {
        var row = $"\"{count.Table}\"";
        var name = count.NameOf(row, postgres);
        var per = count.Per is null ? "" : $", {count.KeyOf(row, postgres)}";
        return $"""
            INSERT INTO "TenantCounters" ("TenantId", "Name", "Shard", "Value")
            SELECT "TenantId", {name}, 0, COUNT(*) FROM {row} WHERE {count.On(row)} GROUP BY "TenantId"{per};
            """;
    }
}
