using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClientFlow.Automation.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class BrokerPostbacks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ActiveAt",
                table: "Leads",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<decimal>(
                name: "FtdAmount",
                table: "Leads",
                type: "numeric(18,2)",
                precision: 18,
                scale: 2,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FtdCurrency",
                table: "Leads",
                type: "character varying(10)",
                maxLength: 10,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "FundedAt",
                table: "Leads",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "QualifiedAt",
                table: "Leads",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Ref",
                table: "Leads",
                type: "character varying(12)",
                maxLength: 12,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "RegisteredAt",
                table: "Leads",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "BrokerConnections",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Platform = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    ReferralLink = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    TokenHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    AllowedIps = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LastPostbackAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
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
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    ConnectionId = table.Column<Guid>(type: "uuid", nullable: false),
                    LeadId = table.Column<Guid>(type: "uuid", nullable: true),
                    SubId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Amount = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: true),
                    Currency = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: true),
                    TxId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Uid = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    DedupeKey = table.Column<string>(type: "character varying(210)", maxLength: 210, nullable: true),
                    Reversed = table.Column<bool>(type: "boolean", nullable: false),
                    ReceivedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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

            // Every lead from before gets its ref before the unique index. The owner role runs migrations, and Leads forces
            // row-level security on it too: lifted for this one statement.
            migrationBuilder.Sql("""
                ALTER TABLE "Leads" NO FORCE ROW LEVEL SECURITY;
                UPDATE "Leads" SET "Ref" = substr(md5(random()::text || "Id"::text), 1, 12);
                ALTER TABLE "Leads" FORCE ROW LEVEL SECURITY;
                """);

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

            RowLevelSecurity.Enable(migrationBuilder, "BrokerConnections");
            RowLevelSecurity.Enable(migrationBuilder, "BrokerEvents");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            RowLevelSecurity.Disable(migrationBuilder, "BrokerEvents");
            RowLevelSecurity.Disable(migrationBuilder, "BrokerConnections");
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
