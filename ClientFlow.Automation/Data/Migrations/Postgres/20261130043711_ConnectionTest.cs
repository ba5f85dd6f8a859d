using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClientFlow.Automation.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ConnectionTest : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "SystemeConnectionTests",
                columns: table => new
                {
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ContactId = table.Column<long>(type: "bigint", nullable: true),
                    TagAddedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    WebhookAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    FinishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Passed = table.Column<bool>(type: "boolean", nullable: true),
                    Result = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SystemeConnectionTests", x => x.TenantId);
                    table.ForeignKey(
                        name: "FK_SystemeConnectionTests_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_InboundEvents_TenantId_ReceivedAt",
                table: "InboundEvents",
                columns: new[] { "TenantId", "ReceivedAt" });

            RowLevelSecurity.Enable(migrationBuilder, "SystemeConnectionTests");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            RowLevelSecurity.Disable(migrationBuilder, "SystemeConnectionTests");
            migrationBuilder.DropTable(
                name: "SystemeConnectionTests");

            migrationBuilder.DropIndex(
                name: "IX_InboundEvents_TenantId_ReceivedAt",
                table: "InboundEvents");
        }
    }
}
