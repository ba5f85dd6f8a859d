using ClientFlow.Automation.Conversions;

namespace ClientFlow.Tests.Unit.Conversions;

/// <summary>Each platform's own names for the postback's fields read as the canonical fields, and its postback URL carries its macros.</summary>
public sealed class BrokerPresetsTests
{
    public static TheoryData<BrokerPlatform> Platforms => new(Enum.GetValues<BrokerPlatform>());

    [Theory]
    [MemberData(nameof(Platforms))]
    public void APresetsOwnNames_ReadAsTheCanonicalFields(BrokerPlatform platform)
    {
        var preset = BrokerPresets.For(platform);
        Assert.Equal(platform, preset.Platform);
        Assert.True(preset.Names.ContainsKey(BrokerPresets.Fields.SubId), "every preset names the sub-id");

        // A postback in the platform's own names only.
        var sent = preset.Names.ToDictionary(n => n.Value.Name, n => $"value-of-{n.Key}", StringComparer.OrdinalIgnoreCase);
        foreach (var (canonical, _) in preset.Names)
        {
            Assert.Equal($"value-of-{canonical}", BrokerPresets.Read(sent, platform, canonical));
        }

        // The canonical names work with every preset, and win over the platform's.
        var canonicalToo = new Dictionary<string, string>(sent, StringComparer.OrdinalIgnoreCase) { ["subid"] = "canonical-ref" };
        Assert.Equal("canonical-ref", BrokerPresets.Read(canonicalToo, platform, BrokerPresets.Fields.SubId));
    }

    [Theory]
    [MemberData(nameof(Platforms))]
    public void APresetsPostbackUrl_CarriesItsMacrosAndTheEvent(BrokerPlatform platform)
    {
        var url = new Uri(BrokerPresets.PostbackUrl("https://cf.example", "tok123", platform, BrokerEventKind.Ftd));
        Assert.Equal("/postbacks/tok123", url.AbsolutePath);
        var query = System.Web.HttpUtility.ParseQueryString(url.Query);
        Assert.Equal("ftd", query["event"]);
        foreach (var (_, (name, macro)) in BrokerPresets.For(platform).Names)
        {
            Assert.Equal(macro, query[name]);
        }
    }

    [Fact]
    public void KnownPlatformNames_MapAsTheReferenceSays()
    {
        Assert.Equal(("afp", "{afp}"), BrokerPresets.For(BrokerPlatform.Cellxpert).Names[BrokerPresets.Fields.SubId]);
        Assert.Equal(("transaction_sum", "[transaction_sum]"), BrokerPresets.For(BrokerPlatform.Cellxpert).Names[BrokerPresets.Fields.Amount]);
        Assert.Equal(("payload", "{payload}"), BrokerPresets.For(BrokerPlatform.MyAffiliates).Names[BrokerPresets.Fields.SubId]);
        Assert.Equal(("transactionid", "{transactionid}"), BrokerPresets.For(BrokerPlatform.Affise).Names[BrokerPresets.Fields.TxId]);
        Assert.Equal(("sale_amount", "{sale_amount}"), BrokerPresets.For(BrokerPlatform.Everflow).Names[BrokerPresets.Fields.Amount]);
        Assert.Equal(("aff_click_id", "{aff_click_id}"), BrokerPresets.For(BrokerPlatform.Scaleo).Names[BrokerPresets.Fields.SubId]);
        Assert.Equal(("aff_sub", "{aff_sub}"), BrokerPresets.For(BrokerPlatform.Tune).Names[BrokerPresets.Fields.SubId]);
    }

    [Theory]
    [InlineData("ftd", null, BrokerEventKind.Ftd)]
    [InlineData("FIRST_DEPOSIT", null, BrokerEventKind.Ftd)]
    [InlineData("registration", null, BrokerEventKind.Registration)]
    [InlineData("deposit", null, BrokerEventKind.Deposit)]
    [InlineData("cpa", null, BrokerEventKind.Qualified)]
    [InlineData("chargeback", null, BrokerEventKind.Reversal)]
    [InlineData("ftd", "3", BrokerEventKind.Reversal)] // Affise: status 3 is declined
    [InlineData("ftd", "1", BrokerEventKind.Ftd)]
    [InlineData("bogus", null, null)]
    [InlineData(null, null, null)]
    public void EventWords_ReadAsKinds(string? @event, string? status, BrokerEventKind? expected) =>
        Assert.Equal(expected, BrokerPresets.KindOf(@event, status));
}
