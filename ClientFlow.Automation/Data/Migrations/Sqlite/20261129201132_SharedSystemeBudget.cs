using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClientFlow.Automation.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SharedSystemeBudget : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "SystemeBudgets",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    WindowStart = table.Column<long>(type: "INTEGER", nullable: false),
                    Granted = table.Column<int>(type: "INTEGER", nullable: false),
                    PausedUntil = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SystemeBudgets", x => x.Id);
                });

            migrationBuilder.InsertData(
                table: "SystemeBudgets",
                columns: new[] { "Id", "Granted", "PausedUntil", "WindowStart" },
                values: new object[] { 1, 0, 1272537022464000000L, 1272537022464000000L });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SystemeBudgets");
        }
    }
}
