using System.Text;

namespace ClientFlow.Automation.Templates;

/// <summary>A template name as a tag slug (<c>Welcome Email!</c> becomes <c>welcome-email</c>).</summary>
public static class TemplateSlug
{
    public static string From(string name)
    {
        var slug = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                slug.Append(c);
            }
            else if (slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }

        var text = slug.ToString().Trim('-');
        // The tag is email-{slug}: keep it within the tag slug limit.
        text = text.Length > 40 ? text[..40].TrimEnd('-') : text;
        return text.Length == 0 ? "template" : text;
    }
}
