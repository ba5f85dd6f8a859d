using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClientFlow.Automation.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class BrokerPostbacks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "ActiveAt",
                table: "Leads",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<decimal>(
                name: "FtdAmount",
                table: "Leads",
                type: "TEXT",
                precision: 18,
                scale: 2,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FtdCurrency",
                table: "Leads",
                type: "TEXT",
                maxLength: 10,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "FundedAt",
                table: "Leads",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "QualifiedAt",
                table: "Leads",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Ref",
                table: "Leads",
                type: "TEXT",
                maxLength: 12,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<long>(
                name: "RegisteredAt",
                table: "Leads",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "BrokerConnections",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Platform = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    ReferralLink = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    TokenHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    AllowedIps = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LastPostbackAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BrokerConnections", x => x.Id);
                    table.ForeignKey(
                        name: "FK_BrokerConnections_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "BrokerEvents",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ConnectionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    LeadId = table.Column<Guid>(type: "TEXT", nullable: true),
                    SubId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Amount = table.Column<decimal>(type: "TEXT", precision: 18, scale: 2, nullable: true),
                    Currency = table.Column<string>(type: "TEXT", maxLength: 10, nullable: true),
                    TxId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Uid = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    DedupeKey = table.Column<string>(type: "TEXT", maxLength: 210, nullable: true),
                    Reversed = table.Column<bool>(type: "INTEGER", nullable: false),
                    ReceivedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BrokerEvents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_BrokerEvents_BrokerConnections_ConnectionId",
                        column: x => x.ConnectionId,
                        principalTable: "BrokerConnections",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_BrokerEvents_Leads_LeadId",
                        column: x => x.LeadId,
                        principalTable: "Leads",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // Every lead from before gets its ref (48 random bits; new leads get 60, from LeadRefs) before the unique index.
            migrationBuilder.Sql("""UPDATE "Leads" SET "Ref" = lower(hex(randomblob(6)));""");

            migrationBuilder.CreateIndex(
                name: "IX_Leads_Ref",
                table: "Leads",
                column: "Ref",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_BrokerConnections_TenantId_Name",
                table: "BrokerConnections",
                columns: new[] { "TenantId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_BrokerConnections_TokenHash",
                table: "BrokerConnections",
                column: "TokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_BrokerEvents_ConnectionId_Kind_DedupeKey",
                table: "BrokerEvents",
                columns: new[] { "ConnectionId", "Kind", "DedupeKey" },
                unique: true,
                filter: "\"DedupeKey\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_BrokerEvents_LeadId",
                table: "BrokerEvents",
                column: "LeadId");

            migrationBuilder.CreateIndex(
                name: "IX_BrokerEvents_TenantId_LeadId",
                table: "BrokerEvents",
                columns: new[] { "TenantId", "LeadId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "BrokerEvents");

            migrationBuilder.DropTable(
                name: "BrokerConnections");

            migrationBuilder.DropIndex(
                name: "IX_Leads_Ref",
                table: "Leads");

            migrationBuilder.DropColumn(
                name: "ActiveAt",
                table: "Leads");

            migrationBuilder.DropColumn(
                name: "FtdAmount",
                table: "Leads");

            migrationBuilder.DropColumn(
                name: "FtdCurrency",
                table: "Leads");

            migrationBuilder.DropColumn(
                name: "FundedAt",
                table: "Leads");

            migrationBuilder.DropColumn(
                name: "QualifiedAt",
                table: "Leads");

            migrationBuilder.DropColumn(
                name: "Ref",
                table: "Leads");

            migrationBuilder.DropColumn(
                name: "RegisteredAt",
                table: "Leads");
        }
    }
}
