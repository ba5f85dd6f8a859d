using ClientFlow.Automation.Tenancy;

namespace ClientFlow.Automation.Workflows;

/// <summary>The IB's own confirmed email addresses and mobile numbers (<see cref="SendingGate"/>): the only ones a notify step may reach.</summary>
public sealed record OwnTargets(IReadOnlyList<string> Addresses, IReadOnlyList<string> Numbers);
