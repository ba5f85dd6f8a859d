using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClientFlow.Automation.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class LeadCapture : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "FormKey",
                table: "Tenants",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<long>(
                name: "LastCaptureAt",
                table: "Tenants",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "SyncedAt",
                table: "LeadTags",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Source",
                table: "Leads",
                type: "TEXT",
                maxLength: 20,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "LeadEmailClaims",
                columns: table => new
                {
                    Email = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClaimedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LeadEmailClaims", x => x.Email);
                });

            migrationBuilder.CreateTable(
                name: "LeadImports",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    FileName = table.Column<string>(type: "TEXT", maxLength: 260, nullable: false),
                    Content = table.Column<byte[]>(type: "BLOB", nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    ProcessedRows = table.Column<int>(type: "INTEGER", nullable: false),
                    ImportedRows = table.Column<int>(type: "INTEGER", nullable: false),
                    ExistingRows = table.Column<int>(type: "INTEGER", nullable: false),
                    RejectedRows = table.Column<int>(type: "INTEGER", nullable: false),
                    TotalRows = table.Column<int>(type: "INTEGER", nullable: true),
                    Error = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CompletedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LeadImports", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "OutboundOperations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    LeadId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    NextAttemptAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LastError = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CompletedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OutboundOperations", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "LeadImportRejections",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ImportId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Line = table.Column<int>(type: "INTEGER", nullable: false),
                    Email = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LeadImportRejections", x => x.Id);
                    table.ForeignKey(
                        name: "FK_LeadImportRejections_LeadImports_ImportId",
                        column: x => x.ImportId,
                        principalTable: "LeadImports",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // Tenants created before hosted forms get a random key before the unique index applies.
            migrationBuilder.Sql("UPDATE \"Tenants\" SET \"FormKey\" = lower(hex(randomblob(8)));");

            migrationBuilder.CreateIndex(
                name: "IX_Tenants_FormKey",
                table: "Tenants",
                column: "FormKey",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_LeadEmailClaims_TenantId",
                table: "LeadEmailClaims",
                column: "TenantId");

            migrationBuilder.CreateIndex(
                name: "IX_LeadImportRejections_ImportId",
                table: "LeadImportRejections",
                column: "ImportId");

            migrationBuilder.CreateIndex(
                name: "IX_LeadImportRejections_TenantId_ImportId_Line",
                table: "LeadImportRejections",
                columns: new[] { "TenantId", "ImportId", "Line" });

            migrationBuilder.CreateIndex(
                name: "IX_LeadImports_TenantId_CreatedAt",
                table: "LeadImports",
                columns: new[] { "TenantId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_OutboundOperations_Status_NextAttemptAt",
                table: "OutboundOperations",
                columns: new[] { "Status", "NextAttemptAt" });

            migrationBuilder.CreateIndex(
                name: "IX_OutboundOperations_TenantId_LeadId",
                table: "OutboundOperations",
                columns: new[] { "TenantId", "LeadId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "LeadEmailClaims");

            migrationBuilder.DropTable(
                name: "LeadImportRejections");

            migrationBuilder.DropTable(
                name: "OutboundOperations");

            migrationBuilder.DropTable(
                name: "LeadImports");

            migrationBuilder.DropIndex(
                name: "IX_Tenants_FormKey",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "FormKey",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "LastCaptureAt",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "SyncedAt",
                table: "LeadTags");

            migrationBuilder.DropColumn(
                name: "Source",
                table: "Leads");
        }
    }
}
