using System;
using ClientFlow.Automation.Counters;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClientFlow.Automation.Data.Migrations.Sqlite
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
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    Shard = table.Column<int>(type: "INTEGER", nullable: false),
                    Value = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TenantCounters", x => new { x.TenantId, x.Name, x.Shard });
                });

            TenantCounterTriggers.CreateForSqlite(migrationBuilder, TenantCounterTriggers.Initial);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            TenantCounterTriggers.DropForSqlite(migrationBuilder, TenantCounterTriggers.Initial);

            migrationBuilder.DropTable(
                name: "TenantCounters");
        }
    }
}
