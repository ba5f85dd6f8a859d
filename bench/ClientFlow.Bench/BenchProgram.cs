using System.Globalization;

namespace ClientFlow.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench/ClientFlow.Bench</c> (full sizes) or <c>-- --smoke</c> (CI sizes, a couple of
/// minutes); <c>-- --postgres "Host=...;Username=postgres"</c> runs it on a fresh PostgreSQL database instead of SQLite. Prints each figure beside its baseline and target; exits non-zero only when a measurement could not be
/// taken, never for a missed target (the report says which).
/// </summary>
public static class BenchProgram
{
    public static async Task<int> Main(string[] args)
    {
        var settings = BenchSettings.Parse(args);
        using var stop = new CancellationTokenSource(settings.Smoke ? TimeSpan.FromMinutes(5) : TimeSpan.FromHours(2));
        var report = new Report();
        await using var postgres = settings.Postgres is { } server ? await BenchPostgres.CreateAsync(server) : null;
        await using (var app = BenchApp.Start(postgres))
        {
            if (settings.Runs("ingest"))
            {
                await Measurements.WebhookIngestAsync(app, settings, report, stop.Token);
            }

            if (settings.Runs("capture"))
            {
                await Measurements.CaptureApiAsync(app, settings, report, stop.Token);
            }

            if (settings.Runs("import"))
            {
                await Measurements.CsvImportAsync(app, settings, report, stop.Token);
            }

            if (settings.Runs("waits"))
            {
                await Measurements.WaitLatenessAsync(app, settings, report, stop.Token);
            }

            if (settings.Runs("engine"))
            {
                await Measurements.EngineThroughputAsync(app, settings, report, stop.Token);
            }

            if (settings.Runs("pages"))
            {
                await Measurements.PageLatencyAsync(app, settings, report, stop.Token);
            }

            Measurements.PeakWorkingSet(report);
        }

        report.Print(Console.Out, string.Create(CultureInfo.InvariantCulture, $"ClientFlow benchmark ({(settings.Smoke ? "smoke" : "full")}, {(postgres is null ? "SQLite" : "PostgreSQL")}, {Environment.ProcessorCount} cores, {TimeProvider.System.GetUtcNow():yyyy-MM-dd HH:mm} UTC)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{report.Missed} target(s) missed."));
        return 0;
    }
}
