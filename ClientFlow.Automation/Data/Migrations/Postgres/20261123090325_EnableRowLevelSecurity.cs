using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClientFlow.Automation.Data.Migrations.Postgres
{
    /// <summary>The fourth isolation layer: row-level security on every tenant table.</summary>
    public partial class EnableRowLevelSecurity : Migration
    {
        private static readonly string[] TenantTables = ["Leads", "LeadTags"];

        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var table in TenantTables)
            {
                RowLevelSecurity.Enable(migrationBuilder, table);
            }
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in TenantTables)
            {
                RowLevelSecurity.Disable(migrationBuilder, table);
            }
        }
    }
}
