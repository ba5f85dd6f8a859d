using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClientFlow.Automation.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ConversionReport : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "AtStep",
                table: "WorkflowRuns",
                type: "integer",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ReferralClicks",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    ConnectionId = table.Column<Guid>(type: "uuid", nullable: false),
                    LeadId = table.Column<Guid>(type: "uuid", nullable: false),
                    MessageId = table.Column<Guid>(type: "uuid", nullable: false),
                    WorkflowId = table.Column<Guid>(type: "uuid", nullable: true),
                    TemplateId = table.Column<Guid>(type: "uuid", nullable: true),
                    IsMachine = table.Column<bool>(type: "boolean", nullable: false),
                    ClickedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReferralClicks", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ReferralClicks_BrokerConnections_ConnectionId",
                        column: x => x.ConnectionId,
                        principalTable: "BrokerConnections",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_ReferralClicks_Leads_LeadId",
                        column: x => x.LeadId,
                        principalTable: "Leads",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Leads_TenantId_RegisteredAt",
                table: "Leads",
                columns: new[] { "TenantId", "RegisteredAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ReferralClicks_ConnectionId",
                table: "ReferralClicks",
                column: "ConnectionId");

            migrationBuilder.CreateIndex(
                name: "IX_ReferralClicks_LeadId",
                table: "ReferralClicks",
                column: "LeadId");

            migrationBuilder.CreateIndex(
                name: "IX_ReferralClicks_TenantId_ConnectionId_ClickedAt",
                table: "ReferralClicks",
                columns: new[] { "TenantId", "ConnectionId", "ClickedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ReferralClicks_TenantId_LeadId",
                table: "ReferralClicks",
                columns: new[] { "TenantId", "LeadId" });

            RowLevelSecurity.Enable(migrationBuilder, "ReferralClicks");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            RowLevelSecurity.Disable(migrationBuilder, "ReferralClicks");
            migrationBuilder.DropTable(
                name: "ReferralClicks");

            migrationBuilder.DropIndex(
                name: "IX_Leads_TenantId_RegisteredAt",
                table: "Leads");

            migrationBuilder.DropColumn(
                name: "AtStep",
                table: "WorkflowRuns");
        }
    }
}
