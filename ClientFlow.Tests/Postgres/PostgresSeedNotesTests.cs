using ClientFlow.Tests.Infrastructure;
using ClientFlow.Tests.Integration.Systeme;
using ClientFlow.Tests.Integration.Workflows;

namespace ClientFlow.Tests.Postgres;

/// <summary>The reconcile with Systeme.io on PostgreSQL as the app role, under row-level security.</summary>
public sealed class PostgresReconcileTests : ReconcileTests<PostgresTestDatabase>;

/// <summary>Starter packs on PostgreSQL as the app role: the pack is read under its own tenant's policy, the copy written under the new IB's.</summary>
public sealed class PostgresStarterPackTests : StarterPackTests<PostgresTestDatabase>;

/// <summary>The connection test on PostgreSQL as the app role.</summary>
public sealed class PostgresConnectionTestTests : ConnectionTestTests<PostgresTestDatabase>;

/// <summary>The conversion report and the editor's step figures on PostgreSQL as the app role, under row-level security.</summary>
public sealed class PostgresConversionReportTests : Integration.Conversions.ConversionReportTests<PostgresTestDatabase>;

/// <summary>A capture batch's multi-row inserts on PostgreSQL as the app role: the policies check every row, and the triggers fire for each.</summary>
public sealed class PostgresCaptureBatchTests(AppOnDatabase<PostgresTestDatabase> fixture)
    : Integration.Leads.CaptureBatchTests<PostgresTestDatabase>(fixture), IClassFixture<AppOnDatabase<PostgresTestDatabase>>;
