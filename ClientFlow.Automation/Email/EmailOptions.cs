using System.ComponentModel.DataAnnotations;

namespace ClientFlow.Automation.Email;

public sealed class EmailOptions
{
    public const string SectionName = "Email";

    public EmailChannelKind Channel { get; set; } = EmailChannelKind.Outbox;
}
