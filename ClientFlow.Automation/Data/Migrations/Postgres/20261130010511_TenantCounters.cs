using System;
using ClientFlow.Automation.Counters;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClientFlow.Automation.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TenantCounters : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "TenantCounters",
                columns: table => new
                {
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    Shard = table.Column<int>(type: "integer", nullable: false),
                    Value = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TenantCounters", x => new { x.TenantId, x.Name, x.Shard });
                });

            // Triggers and the count of the rows already there first: the backfill writes before the policy is on.
            TenantCounterTriggers.CreateForPostgres(migrationBuilder, TenantCounterTriggers.Initial);
            RowLevelSecurity.Enable(migrationBuilder, "TenantCounters");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            TenantCounterTriggers.DropForPostgres(migrationBuilder, TenantCounterTriggers.Initial);
            RowLevelSecurity.Disable(migrationBuilder, "TenantCounters");

            migrationBuilder.DropTable(
                name: "TenantCounters");
        }
    }
}
