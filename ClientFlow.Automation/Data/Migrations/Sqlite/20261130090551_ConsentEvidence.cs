using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClientFlow.Automation.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ConsentEvidence : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "ConsentAt",
                table: "Leads",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ConsentImportId",
                table: "Leads",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ConsentIp",
                table: "Leads",
                type: "TEXT",
                maxLength: 45,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ConsentText",
                table: "Leads",
                type: "TEXT",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ConsentUserAgent",
                table: "Leads",
                type: "TEXT",
                maxLength: 512,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ConsentBasis",
                table: "LeadImports",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ErasedAddresses",
                columns: table => new
                {
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AddressHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ErasedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ErasedAddresses", x => new { x.TenantId, x.AddressHash });
                    table.ForeignKey(
                        name: "FK_ErasedAddresses_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ErasedAddresses");

            migrationBuilder.DropColumn(
                name: "ConsentAt",
                table: "Leads");

            migrationBuilder.DropColumn(
                name: "ConsentImportId",
                table: "Leads");

            migrationBuilder.DropColumn(
                name: "ConsentIp",
                table: "Leads");

            migrationBuilder.DropColumn(
                name: "ConsentText",
                table: "Leads");

            migrationBuilder.DropColumn(
                name: "ConsentUserAgent",
                table: "Leads");

            migrationBuilder.DropColumn(
                name: "ConsentBasis",
                table: "LeadImports");
        }
    }
}
