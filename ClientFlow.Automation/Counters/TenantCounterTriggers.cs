using ClientFlow.Automation.Email;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Leads;
using Microsoft.EntityFrameworkCore.Migrations;

namespace ClientFlow.Automation.Counters;

/// <summary>
/// What each <see cref="TenantCounter"/> counts, and the triggers that keep it: a row of the counted table that enters
/// the condition (inserted, or updated into it) adds one to its IB's count, one that leaves it (deleted, or updated out
/// of it) takes one away, in the statement's own transaction. Migrations call <see cref="CreateForSqlite"/> or
/// <see cref="CreateForPostgres"/>, which also count the rows already there.
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

    /// <summary>A count: its name, the table it counts and the condition a row meets (<c>@row</c> stands for the row).</summary>
    private sealed record Count(string Name, string Table, string? Condition)
    {
        public string On(string row) => Condition?.Replace("@row", row, StringComparison.Ordinal) ?? "TRUE";

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
    ];

    public static void CreateForSqlite(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        foreach (var count in Counts)
        {
            var add = $"""
                INSERT INTO "TenantCounters" ("TenantId", "Name", "Shard", "Value") VALUES (@row."TenantId", '{count.Name}', 0, @delta)
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

            migrationBuilder.Sql(Backfill(count));
        }
    }

    /// <summary>Run before row-level security is enabled on the counters (the backfill reads across tenants).</summary>
    public static void CreateForPostgres(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.Sql("SELECT set_config('clientflow.cross_tenant', 'on', true);");
        foreach (var count in Counts)
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
                        VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD."TenantId" ELSE NEW."TenantId" END, '{count.Name}', pg_backend_pid() % {Shards}, delta)
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

            migrationBuilder.Sql(Backfill(count));
        }
    }

    public static void DropForSqlite(MigrationBuilder migrationBuilder) => Drop(migrationBuilder, postgres: false);

    public static void DropForPostgres(MigrationBuilder migrationBuilder) => Drop(migrationBuilder, postgres: true);

    private static void Drop(MigrationBuilder migrationBuilder, bool postgres)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        foreach (var count in Counts)
        {
            foreach (var operation in new[] { "insert", "delete", "update" })
            {
                migrationBuilder.Sql($"""DROP TRIGGER IF EXISTS "{count.Trigger(operation)}"{(postgres ? $" ON \"{count.Table}\"" : "")};""");
            }

            if (postgres)
            {
                migrationBuilder.Sql($"""DROP FUNCTION IF EXISTS "tenant_counter_{count.Identifier}"();""");
            }
        }
    }

    /// <summary>The rows already there, counted into shard 0.</summary>
    private static string Backfill(Count count) => $"""
        INSERT INTO "TenantCounters" ("TenantId", "Name", "Shard", "Value")
        SELECT "TenantId", '{count.Name}', 0, COUNT(*) FROM "{count.Table}" WHERE {count.On($"\"{count.Table}\"")} GROUP BY "TenantId";
        """;
}
