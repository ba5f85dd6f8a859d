namespace ClientFlow.Web.Hosting;

/// <summary><c>Admin:Email</c> and <c>Admin:Password</c>: the first admin, created at start-up if absent.</summary>
public sealed class AdminOptions
{
    public const string SectionName = "Admin";

    public string? Email { get; set; }

    public string? Password { get; set; }
}
