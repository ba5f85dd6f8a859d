using ClientFlow.Automation.Counters;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClientFlow.Automation.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class LiveRunsPerWorkflow : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The backfill writes every tenant's counters: the owner is bound by the forced policy, so it is lifted meanwhile.
            migrationBuilder.Sql("""ALTER TABLE "TenantCounters" NO FORCE ROW LEVEL SECURITY;""");
            TenantCounterTriggers.CreateForPostgres(migrationBuilder, TenantCounterTriggers.LiveRunsPerWorkflow);
            migrationBuilder.Sql("""ALTER TABLE "TenantCounters" FORCE ROW LEVEL SECURITY;""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            TenantCounterTriggers.DropForPostgres(migrationBuilder, TenantCounterTriggers.LiveRunsPerWorkflow);
            migrationBuilder.Sql("SELECT set_config('clientflow.cross_tenant', 'on', true);");
            migrationBuilder.Sql($"""DELETE FROM "TenantCounters" WHERE "Name" LIKE '{TenantCounterTriggers.LiveRunsPerWorkflow}:%';""");
        }
    }
}
