using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClientFlow.Automation.Data.Migrations.Postgres
{
    /// <summary>Substring search of leads by email and name from trigram indexes (pg_trgm).</summary>
    public partial class LeadSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
            migrationBuilder.Sql("CREATE EXTENSION IF NOT EXISTS pg_trgm;");
            migrationBuilder.Sql("""CREATE INDEX "IX_Leads_Email_Trigrams" ON "Leads" USING gin ("Email" gin_trgm_ops);""");
            migrationBuilder.Sql("""CREATE INDEX "IX_Leads_Name_Trigrams" ON "Leads" USING gin ("Name" gin_trgm_ops);""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX IF EXISTS "IX_Leads_Name_Trigrams";""");
            migrationBuilder.Sql("""DROP INDEX IF EXISTS "IX_Leads_Email_Trigrams";""");
        }
    }
}
