using System.Text.Json.Serialization;
using ClientFlow.Automation.Leads;

namespace ClientFlow.Automation.Workflows;

/// <summary>What a condition step checks about the lead or the run.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(OpenedCondition), "opened")]
[JsonDerivedType(typeof(ClickedCondition), "clicked")]
[JsonDerivedType(typeof(HasTagCondition), "has_tag")]
[JsonDerivedType(typeof(FieldCondition), "field")]
[JsonDerivedType(typeof(StageCondition), "reached_stage")]
public abstract record WorkflowCondition;

/// <summary>An email of this run was opened: the send of <see cref="TemplateId"/>, or any send when null.</summary>
public sealed record OpenedCondition(Guid? TemplateId) : WorkflowCondition;

/// <summary>A link in an email of this run was clicked: the send of <see cref="TemplateId"/>, or any send when null.</summary>
public sealed record ClickedCondition(Guid? TemplateId) : WorkflowCondition;

public sealed record HasTagCondition(string Slug) : WorkflowCondition;

/// <summary>Compares a lead field: <c>monthly_leads at_least 500+</c>, <c>ib_type equals forex-ib</c>.</summary>
public sealed record FieldCondition(LeadField Field, FieldOperator Operator, string Value) : WorkflowCondition;

/// <summary>
/// The lead has reached <see cref="Stage"/> or a later one on its ladder (New, Nurturing, Engaged, then what the broker
/// reports: Registered, Funded, Qualified, Active). "Has reached Funded" stops nurturing a lead who has deposited.
/// </summary>
public sealed record StageCondition(LeadStage Stage) : WorkflowCondition;

public enum LeadField
{
    MonthlyLeads,
    IbType,
    BrokerNetwork,
    Name,
    Email,
    Phone,
}

public enum FieldOperator
{
    Equals,
    NotEquals,
    Contains,

    /// <summary>For <c>monthly_leads</c>: the bucket is this one or higher (<c>&lt;100</c> &lt; <c>100-499</c> &lt; <c>500+</c>).</summary>
    AtLeast,

    IsSet,
}
