namespace ClientFlow.Automation.Conversions;

/// <summary>
/// What each affiliate platform calls the postback's fields, and the macro it fills them with. The canonical names
/// (<see cref="Fields"/>) work with every preset; a preset only adds the platform's own names
/// (<c>../shared/reference/broker-conversions.md</c>).
/// </summary>
public static class BrokerPresets
{
    /// <summary>The canonical postback fields.</summary>
    public static class Fields
    {
        public const string SubId = "subid";
        public const string Event = "event";
        public const string Amount = "amount";
        public const string Currency = "currency";
        public const string TxId = "txid";
        public const string Uid = "uid";
        public const string Status = "status";
    }

    public static IReadOnlyList<BrokerPreset> All { get; } =
    [
        new(BrokerPlatform.Custom, "Custom (canonical names)", "subid", new Dictionary<string, (string, string)>
        {
            [Fields.SubId] = ("subid", "{subid}"),
            [Fields.Amount] = ("amount", "{amount}"),
            [Fields.Currency] = ("currency", "{currency}"),
            [Fields.TxId] = ("txid", "{txid}"),
            [Fields.Uid] = ("uid", "{uid}"),
        }),
        new(BrokerPlatform.Cellxpert, "Cellxpert-style (Axi, Weltrade, The Trading Pit)", "afp", new Dictionary<string, (string, string)>
        {
            [Fields.SubId] = ("afp", "{afp}"),
            [Fields.Amount] = ("transaction_sum", "[transaction_sum]"),
            [Fields.Uid] = ("userid", "{userid}"),
        }),
        new(BrokerPlatform.MyAffiliates, "MyAffiliates", "payload", new Dictionary<string, (string, string)>
        {
            [Fields.SubId] = ("payload", "{payload}"),
        }),
        new(BrokerPlatform.Affise, "Affise", "sub1", new Dictionary<string, (string, string)>
        {
            [Fields.SubId] = ("sub1", "{sub1}"),
            [Fields.TxId] = ("transactionid", "{transactionid}"),
            [Fields.Amount] = ("sum", "{sum}"),
            [Fields.Currency] = ("currency", "{currency}"),
            [Fields.Status] = ("status", "{status}"),
        }),
        new(BrokerPlatform.Everflow, "Everflow", "sub1", new Dictionary<string, (string, string)>
        {
            [Fields.SubId] = ("sub1", "{sub1}"),
            [Fields.TxId] = ("transaction_id", "{transaction_id}"),
            [Fields.Amount] = ("sale_amount", "{sale_amount}"),
        }),
        new(BrokerPlatform.Scaleo, "Scaleo", "aff_click_id", new Dictionary<string, (string, string)>
        {
            [Fields.SubId] = ("aff_click_id", "{aff_click_id}"),
        }),
        new(BrokerPlatform.Tune, "TUNE / HasOffers", "aff_sub", new Dictionary<string, (string, string)>
        {
            [Fields.SubId] = ("aff_sub", "{aff_sub}"),
            [Fields.TxId] = ("transaction_id", "{transaction_id}"),
        }),
    ];

    public static BrokerPreset For(BrokerPlatform platform) => All.SingleOrDefault(p => p.Platform == platform) ?? All[0];

    /// <summary>The postback URL an IB pastes into the platform for one event, with the platform's macros filled in.</summary>
    public static string PostbackUrl(string origin, string token, BrokerPlatform platform, BrokerEventKind kind)
    {
        var preset = For(platform);
        var query = preset.Names.Select(n => $"{n.Value.Name}={n.Value.Macro}").Prepend($"event={EventName(kind)}");
        return $"{origin}/postbacks/{token}?{string.Join('&', query)}";
    }

    /// <summary>The canonical <c>event</c> value of a kind.</summary>
    public static string EventName(BrokerEventKind kind) => kind switch
    {
        BrokerEventKind.Registration => "registration",
        BrokerEventKind.Ftd => "ftd",
        BrokerEventKind.Deposit => "deposit",
        BrokerEventKind.Qualified => "qualified",
        _ => "reversal",
    };

    /// <summary>A field of a postback: its canonical name first, else the preset's own.</summary>
    public static string? Read(IReadOnlyDictionary<string, string> values, BrokerPlatform platform, string field)
    {
        if (values.TryGetValue(field, out var canonical) && !string.IsNullOrWhiteSpace(canonical))
        {
            return canonical.Trim();
        }

        return For(platform).Names.TryGetValue(field, out var own) && values.TryGetValue(own.Name, out var value) && !string.IsNullOrWhiteSpace(value)
            ? value.Trim()
            : null;
    }

    /// <summary>The event a postback names, in the words platforms use; Affise's status 3 (declined) takes the event back.</summary>
    public static BrokerEventKind? KindOf(string? @event, string? status)
    {
        if (status == "3")
        {
            return BrokerEventKind.Reversal;
        }

        return @event?.Trim().ToUpperInvariant() switch
        {
            "REGISTRATION" or "REG" or "SIGNUP" or "SIGN_UP" or "LEAD" => BrokerEventKind.Registration,
            "FTD" or "FIRST_DEPOSIT" or "FIRSTDEPOSIT" or "FIRST-DEPOSIT" => BrokerEventKind.Ftd,
            "DEPOSIT" => BrokerEventKind.Deposit,
            "QUALIFIED" or "QUALIFICATION" or "CPA" => BrokerEventKind.Qualified,
            "REVERSAL" or "REVERSED" or "CHARGEBACK" or "DECLINED" or "REJECTED" => BrokerEventKind.Reversal,
            _ => null,
        };
    }
}

/// <summary>
/// One platform's names: the referral link's sub-id parameter, and for each canonical field the platform's name and
/// the macro it fills it with.
/// </summary>
public sealed record BrokerPreset(BrokerPlatform Platform, string Label, string SubIdParameter, IReadOnlyDictionary<string, (string Name, string Macro)> Names);
