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
            // SQLite drops a column in place (3.35+); EF's DropColumn would rebuild the table outside the transaction.
            migrationBuilder.Sql("ALTER TABLE \"SystemeBudgets\" DROP COLUMN \"Granted\";");

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
