using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClientFlow.Automation.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ClaimsAndLeases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "Handoff",
                table: "WorkflowRuns",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "LeaseOwner",
                table: "OutboundOperations",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "LeaseUntil",
                table: "OutboundOperations",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "SystemeLeaseOwner",
                table: "Leads",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "SystemeLeaseUntil",
                table: "Leads",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "LeaseOwner",
                table: "InboundEvents",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "SendingOwner",
                table: "EmailMessages",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "SendingUntil",
                table: "EmailMessages",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Handoff",
                table: "WorkflowRuns");

            migrationBuilder.DropColumn(
                name: "LeaseOwner",
                table: "OutboundOperations");

            migrationBuilder.DropColumn(
                name: "LeaseUntil",
                table: "OutboundOperations");

            migrationBuilder.DropColumn(
                name: "SystemeLeaseOwner",
                table: "Leads");

            migrationBuilder.DropColumn(
                name: "SystemeLeaseUntil",
                table: "Leads");

            migrationBuilder.DropColumn(
                name: "LeaseOwner",
                table: "InboundEvents");

            migrationBuilder.DropColumn(
                name: "SendingOwner",
                table: "EmailMessages");

            migrationBuilder.DropColumn(
                name: "SendingUntil",
                table: "EmailMessages");
        }
    }
}
