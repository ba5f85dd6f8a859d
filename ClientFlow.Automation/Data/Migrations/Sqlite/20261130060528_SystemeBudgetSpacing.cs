using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClientFlow.Automation.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SystemeBudgetSpacing : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Granted",
                table: "SystemeBudgets");

            migrationBuilder.RenameColumn(
                name: "WindowStart",
                table: "SystemeBudgets",
                newName: "NextGrantAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(
                name: "NextGrantAt",
                table: "SystemeBudgets",
                newName: "WindowStart");

            migrationBuilder.AddColumn<int>(
                name: "Granted",
                table: "SystemeBudgets",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.UpdateData(
                table: "SystemeBudgets",
                keyColumn: "Id",
                keyValue: 1,
                column: "Granted",
                value: 0);
        }
    }
}
