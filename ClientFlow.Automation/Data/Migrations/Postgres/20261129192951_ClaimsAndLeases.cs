using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClientFlow.Automation.Data.Migrations.Postgres
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
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "LeaseOwner",
                table: "OutboundOperations",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "LeaseUntil",
                table: "OutboundOperations",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "SystemeLeaseOwner",
                table: "Leads",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "SystemeLeaseUntil",
                table: "Leads",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "LeaseOwner",
                table: "InboundEvents",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "SendingOwner",
                table: "EmailMessages",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "SendingUntil",
                table: "EmailMessages",
                type: "timestamp with time zone",
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
