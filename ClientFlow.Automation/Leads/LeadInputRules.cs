using System.Net.Mail;
using System.Text.RegularExpressions;

namespace ClientFlow.Automation.Leads;

/// <summary>
/// Validation and normalisation of <see cref="LeadInput"/>. Errors are keyed by the JSON field
/// names (<c>email</c>, <c>monthly_leads</c>, ...), which the API returns as they are and pages map to their inputs.
/// </summary>
public static partial class LeadInputRules
{
    public const int MaxEmailLength = 254;
    public const int MaxNameLength = 200;
    public const int MaxPhoneLength = 50;
    public const int MaxBrokerNetworkLength = 200;
    public const int MaxConsentLength = 2000;

    public static IReadOnlyList<string> MonthlyLeadsValues { get; } = ["<100", "100-499", "500+"];

    /// <summary>Trims, lower-cases the email and IB type, and empties blank values to null.</summary>
    public static LeadInput Normalize(LeadInput input) => new()
    {
        Email = Clean(input.Email)?.ToLowerInvariant(),
        Name = Clean(input.Name),
        Phone = Clean(input.Phone),
        IbType = Clean(input.IbType)?.ToLowerInvariant(),
        MonthlyLeads = Clean(input.MonthlyLeads),
        BrokerNetwork = Clean(input.BrokerNetwork),
        Consent = Clean(input.Consent),
    };

    /// <summary>Errors of an already normalised input; empty when it is valid.</summary>
    public static Dictionary<string, string[]> Validate(LeadInput input)
    {
        var errors = new Dictionary<string, string[]>();
        if (input.Email is null)
        {
            errors["email"] = ["Email is required."];
        }
        else if (input.Email.Length > MaxEmailLength || !IsEmail(input.Email))
        {
            errors["email"] = ["Email is not a valid email address."];
        }

        MaxLength(errors, "name", input.Name, MaxNameLength);
        MaxLength(errors, "broker_network", input.BrokerNetwork, MaxBrokerNetworkLength);
        MaxLength(errors, "consent", input.Consent, MaxConsentLength);
        if (input.Name is not null && input.Name.Any(char.IsControl))
        {
            errors["name"] = ["Name cannot contain control characters."];
        }

        if (input.Phone is not null && (input.Phone.Length > MaxPhoneLength || !PhonePattern().IsMatch(input.Phone)))
        {
            errors["phone"] = ["Phone may hold digits, spaces and + ( ) - . only, at most 50 characters."];
        }

        if (input.IbType is not null && !TagSlug.IsValid(input.IbType))
        {
            errors["ib_type"] = [$"IB type must be a slug of lower-case letters, digits and single hyphens (such as forex-ib), at most {TagSlug.MaxLength} characters."];
        }

        if (input.MonthlyLeads is not null && !MonthlyLeadsValues.Contains(input.MonthlyLeads))
        {
            errors["monthly_leads"] = ["Monthly leads must be one of <100, 100-499, 500+."];
        }

        return errors;
    }

    public static bool IsEmail(string email) =>
        EmailPattern().IsMatch(email) && MailAddress.TryCreate(email, out var address) && address.Address == email;

    private static void MaxLength(Dictionary<string, string[]> errors, string field, string? value, int max)
    {
        if (value is not null && value.Length > max)
        {
            errors[field] = [$"At most {max} characters."];
        }
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"^[0-9+()\-. ]{3,}$", RegexOptions.CultureInvariant)]
    private static partial Regex PhonePattern();
}
