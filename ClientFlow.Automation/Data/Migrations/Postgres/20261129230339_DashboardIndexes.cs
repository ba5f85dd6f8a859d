using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClientFlow.Automation.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class DashboardIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_EmailMessages_TenantId_LeadId",
                table: "EmailMessages");

            migrationBuilder.CreateIndex(
                name: "IX_WorkflowRuns_TenantId_Status_LeadId",
                table: "WorkflowRuns",
                columns: new[] { "TenantId", "Status", "LeadId" });

            migrationBuilder.CreateIndex(
                name: "IX_Leads_TenantId_Status",
                table: "Leads",
                columns: new[] { "TenantId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_EmailMessages_TenantId_Kind_Status",
                table: "EmailMessages",
                columns: new[] { "TenantId", "Kind", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_EmailMessages_TenantId_LeadId_CreatedAt",
                table: "EmailMessages",
                columns: new[] { "TenantId", "LeadId", "CreatedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_WorkflowRuns_TenantId_Status_LeadId",
                table: "WorkflowRuns");

            migrationBuilder.DropIndex(
                name: "IX_Leads_TenantId_Status",
                table: "Leads");

            migrationBuilder.DropIndex(
                name: "IX_EmailMessages_TenantId_Kind_Status",
                table: "EmailMessages");

            migrationBuilder.DropIndex(
                name: "IX_EmailMessages_TenantId_LeadId_CreatedAt",
                table: "EmailMessages");

            migrationBuilder.CreateIndex(
                name: "IX_EmailMessages_TenantId_LeadId",
                table: "EmailMessages",
                columns: new[] { "TenantId", "LeadId" });
        }
    }
}
