using System.ComponentModel.DataAnnotations;

namespace ClientFlow.Automation.Email;

/// <summary><c>Tracking:*</c>: telling people from machines in opens and clicks.</summary>
public sealed class TrackingOptions
{
    public const string SectionName = "Tracking";

    /// <summary>An open this soon after delivery is a mail server or security scanner fetching images, not a person.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan MachineOpenWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Let machine opens and clicks satisfy "opened"/"clicked" conditions (off: only people count).</summary>
    public bool CountMachineEvents { get; set; }
}
