using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClientFlow.Automation.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class LeadLookupIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Leads_Email",
                table: "Leads",
                column: "Email");

            migrationBuilder.CreateIndex(
                name: "IX_Leads_SystemeContactId",
                table: "Leads",
                column: "SystemeContactId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Leads_Email",
                table: "Leads");

            migrationBuilder.DropIndex(
                name: "IX_Leads_SystemeContactId",
                table: "Leads");
        }
    }
}
