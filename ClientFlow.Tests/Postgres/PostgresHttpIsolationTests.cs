using ClientFlow.Tests.Infrastructure;
using ClientFlow.Tests.Integration.Isolation;

namespace ClientFlow.Tests.Postgres;

/// <summary>The same HTTP isolation checks with the app on PostgreSQL (Npgsql, its migrations, Hangfire.PostgreSql).</summary>
public sealed class PostgresHttpIsolationTests(ThreeIbApp<PostgresTestDatabase> app)
    : HttpIsolationTests<PostgresTestDatabase>(app), IClassFixture<ThreeIbApp<PostgresTestDatabase>>;
