using System.ComponentModel.DataAnnotations;

namespace ClientFlow.Automation.Email;

/// <summary><c>Smtp:*</c>, used when <c>Email:Channel</c> is <c>Smtp</c>.</summary>
public sealed class SmtpOptions
{
    public const string SectionName = "Smtp";

    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>True: implicit TLS on 465, else STARTTLS when offered. False: plain (local relays, tests).</summary>
    public bool UseTls { get; set; } = true;

    /// <summary>The envelope and From address; the IB's name is the display name, their address the Reply-To.</summary>
    public string? From { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
