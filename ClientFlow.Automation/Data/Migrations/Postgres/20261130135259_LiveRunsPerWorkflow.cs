using ClientFlow.Automation.Counters;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClientFlow.Automation.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class LiveRunsPerWorkflow : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            TenantCounterTriggers.AddForPostgres(migrationBuilder, TenantCounterTriggers.LiveRunsPerWorkflow);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            TenantCounterTriggers.RemoveForPostgres(migrationBuilder, TenantCounterTriggers.LiveRunsPerWorkflow);
        }
    }
}
