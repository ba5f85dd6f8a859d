using System.Text;
using System.Text.Encodings.Web;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Web.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.UI.Services;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace ClientFlow.Web.Email;

/// <summary>
/// The "confirm your email" message, sent at sign-up and again from /Settings: a link to Identity's confirm page on the
/// public origin (<c>App:PublicBaseUrl</c>, else the request's), through <see cref="AccountEmailSender"/>.
/// </summary>
public sealed class ConfirmationEmails(UserManager<ClientFlowUser> users, IEmailSender sender, LinkGenerator links, IOptions<AppOptions> app)
{
    public async Task SendAsync(ClientFlowUser user, HttpContext http, string? returnUrl = null)
    {
        var token = await users.GenerateEmailConfirmationTokenAsync(user);
        var code = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));
        var path = links.GetPathByPage(http, "/Account/ConfirmEmail", handler: null, values: new { area = "Identity", userId = user.Id, code, returnUrl });
        var link = app.Value.Origin(http.Request) + path;
        await sender.SendEmailAsync(
            user.Email!,
            "Confirm your ClientFlow email",
            $"<p>Welcome to ClientFlow.</p><p>Please confirm your email address: <a href=\"{HtmlEncoder.Default.Encode(link)}\">confirm my email</a>.</p><p>Until you do, ClientFlow sends nothing for you.</p>");
    }
}
