namespace ClientFlow.Automation.Tenancy;

public static class Roles
{
    public const string Admin = "Admin";
    public const string Ib = "IB";

    public static IReadOnlyList<string> All { get; } = [Admin, Ib];
}
