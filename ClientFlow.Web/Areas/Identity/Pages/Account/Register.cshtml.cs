using System.ComponentModel.DataAnnotations;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Web.Email;
using ClientFlow.Web.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace ClientFlow.Web.Areas.Identity.Pages.Account;

/// <summary>
/// Replaces Identity UI's register page: signing up creates the IB's tenant with its unique tag
/// prefix, the user and the IB role in one transaction, then signs the IB in.
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.SignUp)]
public sealed class RegisterModel(
    IbAccounts accounts,
    SignInManager<ClientFlowUser> signInManager,
    ConfirmationEmails confirmations) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    public string? ReturnUrl { get; set; }

    public void OnGet(string? returnUrl = null) => ReturnUrl = returnUrl;

    public async Task<IActionResult> OnPostAsync(string? returnUrl, CancellationToken cancellationToken)
    {
        ReturnUrl = returnUrl;
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var registration = await accounts.RegisterAsync(Input.Email.Trim(), Input.Password, Input.Name, cancellationToken);
        if (!registration.Succeeded)
        {
            // The user name is the email: its errors would repeat the email's. A field shows one message, so join them.
            var errors = registration.Result.Errors
                .Where(e => e.Code is not ("DuplicateUserName" or "InvalidUserName"))
                .GroupBy(FieldFor, e => e.Description);
            foreach (var field in errors)
            {
                ModelState.AddModelError(field.Key, string.Join(" ", field));
            }

            return Page();
        }

        // IBs may work at once; nothing is sent for them until they follow the link (SendingGate).
        await confirmations.SendAsync(registration.User!, HttpContext, returnUrl);
        await signInManager.SignInAsync(registration.User!, isPersistent: false);
        return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl : Url.Content("~/Settings"));
    }

    private static string FieldFor(IdentityError error) => error.Code switch
    {
        _ when error.Code.StartsWith("Password", StringComparison.Ordinal) => $"{nameof(Input)}.{nameof(InputModel.Password)}",
        "DuplicateEmail" or "InvalidEmail" => $"{nameof(Input)}.{nameof(InputModel.Email)}",
        _ => string.Empty,
    };

    public sealed class InputModel
    {
        [Required]
        [StringLength(200)]
        [Display(Name = "Your name or business")]
        public string Name { get; set; } = string.Empty;

        [Required]
        [EmailAddress]
        [StringLength(256)]
        [Display(Name = "Email")]
        public string Email { get; set; } = string.Empty;

        [Required]
        [StringLength(100, ErrorMessage = "The {0} must be at least {2} and at most {1} characters long.", MinimumLength = 8)]
        [DataType(DataType.Password)]
        [Display(Name = "Password")]
        public string Password { get; set; } = string.Empty;

        [DataType(DataType.Password)]
        [Display(Name = "Confirm password")]
        [Compare(nameof(Password), ErrorMessage = "The password and confirmation password do not match.")]
        public string ConfirmPassword { get; set; } = string.Empty;
    }
}
