using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClientFlow.Automation.Data.Migrations.Sqlite
{
    /// <summary>Substring search of leads by email and name from a trigram index (FTS5).</summary>
    public partial class LeadSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // An external-content FTS5 table over the leads' emails and names, tokenised in trigrams (substring search),
            // keyed by the leads' rowid and kept by triggers. A VACUUM may renumber the rowids of a table without an
            // INTEGER PRIMARY KEY: after one, run INSERT INTO "LeadSearch"("LeadSearch") VALUES('rebuild').
            // A later migration that rebuilds "Leads" (SQLite's way to alter a column) drops these triggers and must
            // create them again, as it must the counters' (TenantCounterTriggers).
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE "LeadSearch" USING fts5("Email", "Name", content='Leads', content_rowid='rowid', tokenize='trigram');
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "LeadSearch_insert" AFTER INSERT ON "Leads" BEGIN
                    INSERT INTO "LeadSearch"(rowid, "Email", "Name") VALUES (NEW.rowid, NEW."Email", NEW."Name");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "LeadSearch_delete" AFTER DELETE ON "Leads" BEGIN
                    INSERT INTO "LeadSearch"("LeadSearch", rowid, "Email", "Name") VALUES ('delete', OLD.rowid, OLD."Email", OLD."Name");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "LeadSearch_update" AFTER UPDATE OF "Email", "Name" ON "Leads" BEGIN
                    INSERT INTO "LeadSearch"("LeadSearch", rowid, "Email", "Name") VALUES ('delete', OLD.rowid, OLD."Email", OLD."Name");
                    INSERT INTO "LeadSearch"(rowid, "Email", "Name") VALUES (NEW.rowid, NEW."Email", NEW."Name");
                END;
                """);
            migrationBuilder.Sql("""INSERT INTO "LeadSearch"("LeadSearch") VALUES ('rebuild');""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "LeadSearch_insert";""");
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "LeadSearch_delete";""");
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "LeadSearch_update";""");
            migrationBuilder.Sql("""DROP TABLE IF EXISTS "LeadSearch";""");
        }
    }
}
