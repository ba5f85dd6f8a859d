using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClientFlow.Automation.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SendingSafeguards : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "DailyNotifications",
                table: "Tenants",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "DailySms",
                table: "Tenants",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "DailyTestSends",
                table: "Tenants",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Promotes",
                table: "Tenants",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "RiskWarning",
                table: "Tenants",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "RiskWarningPercent",
                table: "Tenants",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RiskWarningText",
                table: "Tenants",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "DailyUsages",
                columns: table => new
                {
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    Day = table.Column<DateOnly>(type: "date", nullable: false),
                    Kind = table.Column<int>(type: "integer", nullable: false),
                    Used = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DailyUsages", x => new { x.TenantId, x.Day, x.Kind });
                    table.ForeignKey(
                        name: "FK_DailyUsages_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            RowLevelSecurity.Enable(migrationBuilder, "DailyUsages");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            RowLevelSecurity.Disable(migrationBuilder, "DailyUsages");
            migrationBuilder.DropTable(
                name: "DailyUsages");

            migrationBuilder.DropColumn(
                name: "DailyNotifications",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "DailySms",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "DailyTestSends",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "Promotes",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "RiskWarning",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "RiskWarningPercent",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "RiskWarningText",
                table: "Tenants");
        }
    }
}
