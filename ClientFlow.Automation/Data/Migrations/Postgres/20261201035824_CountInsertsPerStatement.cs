using ClientFlow.Automation.Counters;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClientFlow.Automation.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CountInsertsPerStatement : Migration
    {
        private static readonly string[] Counts = [.. TenantCounterTriggers.Initial, TenantCounterTriggers.LiveRunsPerWorkflow, TenantCounterTriggers.LeadsPerMonth];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            TenantCounterTriggers.CountInsertsPerStatementForPostgres(migrationBuilder, Counts);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            TenantCounterTriggers.CountInsertsPerRowForPostgres(migrationBuilder, Counts);
        }
    }
}
