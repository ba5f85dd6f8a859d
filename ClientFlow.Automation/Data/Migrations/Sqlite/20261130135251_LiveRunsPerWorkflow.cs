using ClientFlow.Automation.Counters;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClientFlow.Automation.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class LiveRunsPerWorkflow : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            TenantCounterTriggers.CreateForSqlite(migrationBuilder, TenantCounterTriggers.LiveRunsPerWorkflow);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            TenantCounterTriggers.DropForSqlite(migrationBuilder, TenantCounterTriggers.LiveRunsPerWorkflow);
            migrationBuilder.Sql($"""DELETE FROM "TenantCounters" WHERE "Name" LIKE '{TenantCounterTriggers.LiveRunsPerWorkflow}:%';""");
        }
    }
}
