using ClientFlow.Automation.Email;

namespace ClientFlow.Tests.Unit.Email;

/// <summary>The text part read from an email's HTML when its template has none.</summary>
public sealed class HtmlTextTests
{
    [Fact]
    public void BlocksBecomeLines_LinksKeepTheirAddress_AndMarkupIsGone()
    {
        const string html = """
            <html><head><title>Ignored</title><style>p { color: red }</style></head>
            <body>
              <h1>Welcome,   Dana</h1>
              <p>Line one<br>line two &amp; more</p>
              <ul><li>First</li><li>Second</li></ul>
              <p><a href="https://broker.example/open">Open an account</a> or <a href="https://broker.example/">https://broker.example/</a></p>
              <table><tr><td>Spread</td><td>0.1</td></tr></table>
              <img src="x.png" alt="Logo"><script>alert(1)</script>
            </body></html>
            """;

        Assert.Equal(
            "Welcome, Dana\n\nLine one\nline two & more\n\n- First\n- Second\n\nOpen an account (https://broker.example/open) or https://broker.example/\n\nSpread 0.1\n\nLogo",
            HtmlText.FromHtml(html));
    }

    [Fact]
    public void AFragment_WithoutBody_IsReadToo() =>
        Assert.Equal("Hi there", HtmlText.FromHtml("Hi <b>there</b>"));
}
