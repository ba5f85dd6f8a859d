using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Security.Cryptography;
using ClientFlow.Automation.Auditing;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Jobs;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Notifications;
using ClientFlow.Automation.Outbox;
using ClientFlow.Automation.Systeme;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Automation.Webhooks;
using ClientFlow.Automation.Workflows;
using ClientFlow.Web.Email;
using ClientFlow.Web.Hosting;
using ClientFlow.Web.Tenancy;
using Hangfire;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClientFlow.Web.Pages;

/// <summary>The IB's account: prefix, hosted form, API key, Systeme.io workflow webhook URL, sender identity, notification webhook secret.</summary>
public sealed class SettingsModel(
    ClientFlowDbContext db,
    IOptions<AppOptions> app,
    IOptions<SystemeOptions> systeme,
    SystemeConnectionCheck connectionCheck,
    IBackgroundJobClient jobs,
    UserManager<ClientFlowUser> users,
    ConfirmationEmails confirmations,
    SendingGate sending,
    DailyAllowance allowance,
    NotificationSender texts,
    IOptions<NotificationOptions> notifications,
    TimeProvider clock) : PageModel
{
    public const int MaxSenderNameLength = 200;
    public const int MaxReplyToLength = 320;
    public const int MaxPostalAddressLength = 500;

    public Tenant Tenant { get; private set; } = null!;

    public string FormUrl { get; private set; } = string.Empty;

    public string ApiUrl { get; private set; } = string.Empty;

    /// <summary><c>{origin}/webhooks/systeme</c>: the account-wide signed webhook service (set up by an operator).</summary>
    public string SystemeServiceUrl { get; private set; } = string.Empty;

    /// <summary>Set only in the response to a rotation: <c>{origin}/webhooks/systeme/t/{token}</c>, shown this once and never stored.</summary>
    public string? NewWebhookUrl { get; private set; }

    /// <summary>Set only in the response to a rotation: the key is shown this once and never stored.</summary>
    public string? NewApiKey { get; private set; }

    [TempData]
    public string? StatusMessage { get; set; }

    [BindProperty]
    public SenderInput Sender { get; set; } = new();

    /// <summary>The "What you promote" form, bound by its own handler only.</summary>
    public RiskInput Risk { get; set; } = new();

    /// <summary>The signed-in login's mobile number once confirmed with a code: the only number a notify step may text.</summary>
    public string? ConfirmedPhone { get; private set; }

    /// <summary>Set in the response that sent a code: the number the code is for.</summary>
    public string? PendingPhone { get; private set; }

    public bool SmsConfigured => notifications.Value.SmsConfigured;

    /// <summary>Today's use of each daily limit, and the limit.</summary>
    public IReadOnlyDictionary<DailyLimitKind, (int Used, int Limit)> Usage { get; private set; } = new Dictionary<DailyLimitKind, (int, int)>();

    /// <summary>What emails use now: the From name, or the account name when it is empty.</summary>
    public string EffectiveFromName => string.IsNullOrWhiteSpace(Tenant.SenderName) ? Tenant.Name : Tenant.SenderName;

    /// <summary>The login email that replies go to when no reply-to is set (the same rule as the email composer).</summary>
    public string? LoginEmail { get; private set; }

    /// <summary>Whether the signed-in IB has confirmed its login email; nothing is sent for it until then.</summary>
    public bool EmailConfirmed { get; private set; }

    /// <summary>The secret with all but its last four characters hidden.</summary>
    public string? MaskedNotificationSecret =>
        Tenant.NotificationSecret is { Length: > 4 } secret ? new string('•', 12) + secret[^4..] : Tenant.NotificationSecret;

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        return Show();
    }

    /// <summary>What the IB promotes and the risk warning its marketing emails carry (<see cref="RiskWarnings"/>).</summary>
    public async Task<IActionResult> OnPostRiskWarningAsync([Bind(Prefix = nameof(Risk))] RiskInput risk, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        Risk = risk;
        var key = (string name) => $"{nameof(Risk)}.{name}";
        var custom = Clean(risk.CustomText);
        if (risk.Promotes is null)
        {
            ModelState.AddModelError(key(nameof(RiskInput.Promotes)), "Choose what you promote.");
        }

        switch (risk.Warning)
        {
            case RiskWarningKind.FcaCfd when risk.Percent is not (>= 1 and <= 100):
                ModelState.AddModelError(key(nameof(RiskInput.Percent)), "Enter your provider's percentage of retail accounts that lose money, a whole number from 1 to 100.");
                break;
            case RiskWarningKind.Custom when custom is null:
                ModelState.AddModelError(key(nameof(RiskInput.CustomText)), "Write your warning, or choose a preset.");
                break;
            case RiskWarningKind.Custom when custom.Length > RiskWarnings.MaxCustomLength:
                ModelState.AddModelError(key(nameof(RiskInput.CustomText)), $"The warning can be at most {RiskWarnings.MaxCustomLength} characters.");
                break;
            case RiskWarningKind.None when RiskWarnings.IsRequired(risk.Promotes):
                ModelState.AddModelError(key(nameof(RiskInput.Warning)), "Promotions of forex, CFDs and crypto must carry a risk warning: choose one.");
                break;
            case not (RiskWarningKind.None or RiskWarningKind.FcaCfd or RiskWarningKind.FcaCrypto or RiskWarningKind.Custom):
                ModelState.AddModelError(key(nameof(RiskInput.Warning)), "Choose one of the warnings.");
                break;
        }

        if (risk.Promotes is { } promotes && !Enum.IsDefined(promotes))
        {
            ModelState.AddModelError(key(nameof(RiskInput.Promotes)), "Choose what you promote.");
        }

        if (!ModelState.IsValid)
        {
            return Show(risk: risk);
        }

        Tenant.Promotes = risk.Promotes;
        Tenant.RiskWarning = risk.Warning;
        Tenant.RiskWarningPercent = risk.Warning == RiskWarningKind.FcaCfd ? risk.Percent : null;
        Tenant.RiskWarningText = risk.Warning == RiskWarningKind.Custom ? custom : null;
        Audit("tenant.risk-warning", $"{Tenant.Promotes}: {RiskWarnings.TextOf(Tenant) ?? "none"}");
        await db.SaveChangesAsync(cancellationToken);
        StatusMessage = "Risk warning saved. New emails carry it from now on.";
        return RedirectToPage(null, null, "risk-heading");
    }

    /// <summary>Texts a code to the number the IB gives; the number is its own once it enters the code (<see cref="OnPostConfirmPhoneAsync"/>).</summary>
    public async Task<IActionResult> OnPostSendPhoneCodeAsync(string? phone, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken) || await users.GetUserAsync(User) is not { } user)
        {
            return NotFound();
        }

        var number = phone?.Trim();
        if (number is null || !PublishCheck.IsPhoneNumber(number))
        {
            return PageWithError("phone", "Enter your mobile number in international format, such as +447700900123.");
        }

        if (await sending.RefusalAsync(Tenant.Id, cancellationToken) is { } refusal)
        {
            return PageWithError("phone", refusal);
        }

        if (!SmsConfigured)
        {
            return PageWithError("phone", "This installation has no SMS account, so no code can be sent (an operator sets Notifications:SmsAccountSid, SmsAuthToken and SmsFrom).");
        }

        if (!await allowance.TryTakeAsync(Tenant.Id, DailyLimitKind.Sms, cancellationToken))
        {
            return PageWithError("phone", "Not sent: " + DailyAllowance.Reached(DailyLimitKind.Sms, await allowance.LimitAsync(Tenant.Id, DailyLimitKind.Sms, cancellationToken)) + ".");
        }

        var code = await users.GenerateChangePhoneNumberTokenAsync(user, number);
        try
        {
            await texts.SendSmsAsync(new SmsNotification(number, $"Your ClientFlow code is {code}. It confirms this number for your workflow notifications."), cancellationToken);
        }
        catch (OutboundException ex)
        {
            return PageWithError("phone", $"The code could not be sent: {ex.Message}");
        }

        PendingPhone = number;
        StatusMessage = null;
        return Show();
    }

    public async Task<IActionResult> OnPostConfirmPhoneAsync(string? phone, string? code, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken) || await users.GetUserAsync(User) is not { } user)
        {
            return NotFound();
        }

        var number = phone?.Trim();
        if (number is null || !PublishCheck.IsPhoneNumber(number))
        {
            return PageWithError("phone", "Enter your mobile number in international format, such as +447700900123.");
        }

        // The code is bound to the number it was sent to: it confirms no other.
        var result = string.IsNullOrWhiteSpace(code) ? null : await users.ChangePhoneNumberAsync(user, number, code.Trim());
        if (result is not { Succeeded: true })
        {
            PendingPhone = number;
            return PageWithError("code", "That code is not right, or it has expired: send a new one.");
        }

        Audit("user.phone.confirmed", number);
        await db.SaveChangesAsync(cancellationToken);
        StatusMessage = $"{number} is confirmed: your workflows may text it.";
        return RedirectToPage(null, null, "phone-heading");
    }

    private PageResult PageWithError(string key, string error)
    {
        ModelState.AddModelError(key, error);
        return Show();
    }

    /// <summary>
    /// The page again (after a refusal, or with something shown once): each form holds what was posted to it, or else the
    /// saved values. Never cached: the notification secret, and at times a new key or URL, are on it.
    /// </summary>
    private PageResult Show(SenderInput? sender = null, RiskInput? risk = null)
    {
        Sender = sender ?? SenderInput.From(Tenant);
        Risk = risk ?? RiskInput.From(Tenant);
        Response.Headers.CacheControl = "no-store";
        return Page();
    }

    public async Task<IActionResult> OnPostSenderAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        var name = Clean(Sender.SenderName);
        var replyTo = Clean(Sender.ReplyTo);
        var address = Clean(Sender.PostalAddress);
        if (name is not null && name.Any(char.IsControl))
        {
            ModelState.AddModelError($"{nameof(Sender)}.{nameof(SenderInput.SenderName)}", "The From name must be one line of text.");
        }

        var replyToKey = $"{nameof(Sender)}.{nameof(SenderInput.ReplyTo)}";
        if (replyTo is not null && ModelState.GetFieldValidationState(replyToKey) != ModelValidationState.Invalid && !LeadInputRules.IsEmail(replyTo))
        {
            ModelState.AddModelError(replyToKey, SenderInput.ReplyToError);
        }

        if (address is null && await db.Workflows.AnyAsync(w => w.IsOn, cancellationToken))
        {
            ModelState.AddModelError($"{nameof(Sender)}.{nameof(SenderInput.PostalAddress)}",
                "Your workflows that are ON send marketing email, which must carry your postal address: turn them off before removing it.");
        }

        if (!ModelState.IsValid)
        {
            return Show(sender: Sender);
        }

        Tenant.SenderName = name;
        Tenant.ReplyTo = replyTo;
        Tenant.PostalAddress = address;
        await db.SaveChangesAsync(cancellationToken);
        StatusMessage = "Sender identity saved. New emails use it from now on.";
        return RedirectToPage();
    }

    /// <summary>Sends the confirmation link again (the first may have been lost, or the SMTP server refused it).</summary>
    public async Task<IActionResult> OnPostResendConfirmationAsync()
    {
        if (await users.GetUserAsync(User) is not { } user || user.TenantId != User.GetTenantId())
        {
            return NotFound();
        }

        if (!user.EmailConfirmed)
        {
            await confirmations.SendAsync(user, HttpContext);
        }

        StatusMessage = user.EmailConfirmed ? "Your email is already confirmed." : $"We sent the confirmation link to {user.Email} again.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostRotateApiKeyAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        var key = ApiKey.Generate();
        Tenant.ApiKeyHash = ApiKey.Hash(key);
        Audit("tenant.api-key.rotated");
        await db.SaveChangesAsync(cancellationToken);

        // No redirect: the key must not travel through a cookie or a URL.
        NewApiKey = key;
        ModelState.Clear();
        return Show();
    }

    /// <summary>The IB's Systeme.io set-up: reconcile, connection test, last webhook.</summary>
    public SystemeSetup Setup { get; private set; } = new(null, null, null);

    /// <summary>The IB's Systeme.io reconcile: the pass in progress or the last one; null before the first.</summary>
    public SystemeReconcile? Reconcile => Setup.Reconcile;

    public bool SystemeOffline => systeme.Value.IsOffline;

    public int ReconcileMinutes => systeme.Value.ReconcileMinutes;

    public TimeSpan ConnectionTestWait => systeme.Value.ConnectionTestWait;

    /// <summary>The IB's last "Test the connection", null before the first.</summary>
    public SystemeConnectionTest? ConnectionTest => Setup.ConnectionTest;

    /// <summary>When the newest Systeme.io webhook for this IB's prefix (or its workflow webhook URL) arrived.</summary>
    public DateTimeOffset? LastWebhookAt => Setup.LastWebhookAt;

    /// <summary>"Test the connection": a test tag on a test contact, and its webhook awaited (<see cref="SystemeConnectionCheck"/>).</summary>
    public async Task<IActionResult> OnPostTestConnectionAsync(CancellationToken cancellationToken)
    {
        if (User.GetTenantId() is not { } tenantId)
        {
            return NotFound();
        }

        await connectionCheck.StartAsync(tenantId, cancellationToken);
        jobs.Enqueue<SystemeConnectionTestJob>(j => j.RunAsync(tenantId, CancellationToken.None));
        StatusMessage = "Connection test started: reload this page in a few seconds for the result.";
        return RedirectToPage();
    }

    /// <summary>"Reconcile now": one pass for this IB, queued (a pass already running is not doubled: it holds the lease).</summary>
    public IActionResult OnPostReconcile()
    {
        if (User.GetTenantId() is not { } tenantId)
        {
            return NotFound();
        }

        if (systeme.Value.IsOffline)
        {
            StatusMessage = "Systeme.io is offline (no Systeme:ApiKey on the server): there is nothing to reconcile with.";
            return RedirectToPage();
        }

        jobs.Enqueue<SystemeReconcileJob>(j => j.RunAsync(tenantId, CancellationToken.None));
        StatusMessage = "Reconcile queued: reload this page to see what it changed.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostRotateWebhookTokenAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        // The new hash and its audit entry are saved together.
        var token = WebhookTokens.Issue(Tenant);
        Audit("tenant.webhook-token.rotated");
        await db.SaveChangesAsync(cancellationToken);

        // No redirect: the token must not travel through a cookie or a URL.
        NewWebhookUrl = $"{app.Value.Origin(Request)}/webhooks/systeme/t/{token}";
        ModelState.Clear();
        return Show();
    }

    public async Task<IActionResult> OnPostRotateNotificationSecretAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        Tenant.NotificationSecret = RandomNumberGenerator.GetHexString(64, lowercase: true);
        Audit("tenant.notification-secret.rotated");
        await db.SaveChangesAsync(cancellationToken);
        StatusMessage = "New notification secret created. Webhooks are signed with it from now on: update your receiver.";
        return RedirectToPage(null, null, "webhooks-heading");
    }

    private void Audit(string action, string? detail = null) =>
        db.AuditEntries.Add(new AuditEntry
        {
            At = clock.GetUtcNow(),
            ActorUserId = User.FindFirstValue(ClaimTypes.NameIdentifier),
            Action = action,
            TenantId = Tenant.Id,
            Detail = detail,
        });

    private async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        var tenant = await db.Tenants.FindAsync([User.GetTenantId()], cancellationToken);
        if (tenant is null)
        {
            return false;
        }

        Tenant = tenant;
        LoginEmail = await db.Users.Where(u => u.TenantId == tenant.Id).OrderBy(u => u.Email).Select(u => u.Email).FirstOrDefaultAsync(cancellationToken);
        var user = await users.GetUserAsync(User);
        EmailConfirmed = user is { EmailConfirmed: true };
        ConfirmedPhone = user is { PhoneNumberConfirmed: true } ? user.PhoneNumber : null;
        Usage = await allowance.TodayAsync(tenant.Id, cancellationToken);
        var origin = app.Value.Origin(Request);
        FormUrl = $"{origin}/f/{tenant.FormKey}";
        ApiUrl = $"{origin}/api/v1/leads";
        SystemeServiceUrl = $"{origin}/webhooks/systeme";
        Setup = await SystemeSetup.ReadAsync(db, tenant.Id, cancellationToken);
        return true;
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>The "Sender identity" form.</summary>
    public sealed class SenderInput
    {
        public const string ReplyToError = "Enter a valid email address, or leave it empty to use your login email.";

        [Display(Name = "From name")]
        [StringLength(MaxSenderNameLength, ErrorMessage = "The From name can be at most {1} characters.")]
        public string? SenderName { get; set; }

        [Display(Name = "Reply-to email")]
        [EmailAddress(ErrorMessage = ReplyToError)]
        [StringLength(MaxReplyToLength, ErrorMessage = "The reply-to email can be at most {1} characters.")]
        public string? ReplyTo { get; set; }

        [Display(Name = "Postal address")]
        [StringLength(MaxPostalAddressLength, ErrorMessage = "The postal address can be at most {1} characters.")]
        public string? PostalAddress { get; set; }

        public static SenderInput From(Tenant tenant) => new()
        {
            SenderName = tenant.SenderName,
            ReplyTo = tenant.ReplyTo,
            PostalAddress = tenant.PostalAddress,
        };
    }

    /// <summary>The "What you promote" form.</summary>
    public sealed class RiskInput
    {
        [Display(Name = "What you promote")]
        public PromotedProduct? Promotes { get; set; }

        [Display(Name = "Risk warning")]
        public RiskWarningKind Warning { get; set; }

        [Display(Name = "Your provider's percentage of retail accounts that lose money")]
        public int? Percent { get; set; }

        [Display(Name = "Your warning")]
        public string? CustomText { get; set; }

        public static RiskInput From(Tenant tenant) => new()
        {
            Promotes = tenant.Promotes,
            Warning = tenant.RiskWarning,
            Percent = tenant.RiskWarningPercent,
            CustomText = tenant.RiskWarningText,
        };
    }
}
