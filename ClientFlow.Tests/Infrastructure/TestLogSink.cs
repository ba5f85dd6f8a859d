using System.Collections.Concurrent;
using System.Globalization;
using Serilog.Core;
using Serilog.Events;

namespace ClientFlow.Tests.Infrastructure;

/// <summary>Every log event the host writes; registered in DI, where Serilog's ReadFrom.Services picks it up.</summary>
public sealed class TestLogSink : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    public IReadOnlyCollection<LogEvent> Events => _events;

    /// <summary>Each event as a sink would write it: message, every property, exception.</summary>
    public IEnumerable<string> Lines => _events.Select(Render);

    public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

    /// <summary>The string values of a property, newest last (e.g. the bodies of Development emails).</summary>
    public IEnumerable<string> ValuesOf(string property) => _events
        .Select(e => e.Properties.GetValueOrDefault(property))
        .OfType<ScalarValue>()
        .Select(v => v.Value)
        .OfType<string>();

    private static string Render(LogEvent logEvent)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        logEvent.RenderMessage(writer, CultureInfo.InvariantCulture);
        foreach (var property in logEvent.Properties)
        {
            writer.Write($" {property.Key}={property.Value}");
        }

        writer.Write(logEvent.Exception);
        return writer.ToString();
    }
}
