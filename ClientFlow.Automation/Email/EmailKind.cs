namespace ClientFlow.Automation.Email;

public enum EmailKind
{
    /// <summary>A workflow step's send to a lead: tracked, with unsubscribe link.</summary>
    Workflow,

    /// <summary>"Send me a test" from the template editor, to the IB.</summary>
    Test,

    /// <summary>A notify step's email to the IB.</summary>
    Notification,
}
