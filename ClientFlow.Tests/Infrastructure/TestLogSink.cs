using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace ClientFlow.Tests.Infrastructure;

/// <summary>Every log event the host writes, rendered as it would reach a sink; registered in DI, picked up by ReadFrom.Services.</summary>
public sealed class TestLogSink : ILogEventSink
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public void Emit(LogEvent logEvent)
    {
        using var writer = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        logEvent.RenderMessage(writer, System.Globalization.CultureInfo.InvariantCulture);
        foreach (var property in logEvent.Properties)
        {
            writer.Write($" {property.Key}={property.Value}");
        }

        writer.Write(logEvent.Exception);
        _lines.Enqueue(writer.ToString());
    }
}
