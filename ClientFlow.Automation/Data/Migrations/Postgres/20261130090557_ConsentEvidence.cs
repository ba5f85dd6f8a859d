using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClientFlow.Automation.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ConsentEvidence : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ConsentAt",
                table: "Leads",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ConsentImportId",
                table: "Leads",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ConsentIp",
                table: "Leads",
                type: "character varying(45)",
                maxLength: 45,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ConsentText",
                table: "Leads",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ConsentUserAgent",
                table: "Leads",
                type: "character varying(512)",
                maxLength: 512,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ConsentBasis",
                table: "LeadImports",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ErasedAddresses",
                columns: table => new
                {
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    AddressHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ErasedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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

            RowLevelSecurity.Enable(migrationBuilder, "ErasedAddresses");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            RowLevelSecurity.Disable(migrationBuilder, "ErasedAddresses");
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
