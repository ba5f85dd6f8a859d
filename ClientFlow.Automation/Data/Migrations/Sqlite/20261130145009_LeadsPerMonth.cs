using ClientFlow.Automation.Counters;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClientFlow.Automation.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class LeadsPerMonth : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            TenantCounterTriggers.CreateForSqlite(migrationBuilder, TenantCounterTriggers.LeadsPerMonth);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            TenantCounterTriggers.RemoveForSqlite(migrationBuilder, TenantCounterTriggers.LeadsPerMonth);
        }
    }
}
