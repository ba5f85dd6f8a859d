using ClientFlow.Tests.Infrastructure;
using ClientFlow.Tests.Integration.Isolation;

namespace ClientFlow.Tests.Postgres;

public sealed class PostgresDbContextIsolationTests : DbContextIsolationTests<PostgresTestDatabase>;
