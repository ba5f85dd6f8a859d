using System.Net;
using System.Net.Sockets;
using System.Text;
using MimeKit;

namespace ClientFlow.Tests.Infrastructure.Smtp;

/// <summary>
/// A minimal SMTP server (RFC 5321) on a real loopback socket: EHLO/HELO, MAIL FROM, RCPT TO, DATA
/// (dot-unstuffed), RSET, NOOP, QUIT. It offers no extensions, so a client neither tries STARTTLS nor
/// AUTH (asked anyway, they answer 502). Every accepted message is kept with its envelope and parsed
/// by MimeKit; every DATA attempt is recorded with the reply it got, and the next ones can be refused.
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private const string Domain = "smtp.clientflow.test";

    // Latin-1 maps every byte to one char and back, so the message data keeps its exact bytes.
    private static readonly Encoding Wire = Encoding.Latin1;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly List<SmtpReceivedMessage> _messages = [];
    private readonly List<SmtpDataAttempt> _attempts = [];
    private readonly Queue<string> _dataFaults = new();
    private readonly HashSet<string> _deadMailboxes = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Task> _sessions = [];
    private Task _accepting = Task.CompletedTask;

    private SmtpTestServer()
    {
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>A slow server: how long it takes to answer each message's data.</summary>
    public TimeSpan ReplyDelay { get; set; }

    /// <summary>Each message's data is answered only once this completes: a test holds a delivery mid-send.</summary>
    public Task ReplyGate { get; set; } = Task.CompletedTask;

    /// <summary>Messages whose data has arrived and whose answer is being held or delayed.</summary>
    public int WaitingForReply => Volatile.Read(ref _waitingForReply);

    private int _waitingForReply;

    /// <summary>Messages accepted with 250, in order.</summary>
    public IReadOnlyList<SmtpReceivedMessage> Messages
    {
        get
        {
            lock (_gate)
            {
                return [.. _messages];
            }
        }
    }

    /// <summary>Every complete DATA transfer, accepted or refused, in order.</summary>
    public IReadOnlyList<SmtpDataAttempt> DataAttempts
    {
        get
        {
            lock (_gate)
            {
                return [.. _attempts];
            }
        }
    }

    /// <summary>The app settings that put ClientFlow on the SMTP channel, delivering here (plain SMTP, no login).</summary>
    public Dictionary<string, string?> AppSettings(string from = "noreply@clientflow.test", string origin = "http://clientflow.test") => new()
    {
        ["Email:Channel"] = "Smtp",
        ["Smtp:Host"] = "127.0.0.1",
        ["Smtp:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Smtp:UseTls"] = "false",
        ["Smtp:From"] = from,
        ["App:PublicBaseUrl"] = origin,
    };

    public static SmtpTestServer Start()
    {
        var server = new SmtpTestServer();
        server._listener.Start();
        server._accepting = server.AcceptAsync(server._stopping.Token);
        return server;
    }

    /// <summary>A mailbox that does not exist: RCPT TO it is answered "550 5.1.1", as a real server answers a hard bounce.</summary>
    public void AddDeadMailbox(string address)
    {
        lock (_gate)
        {
            _deadMailboxes.Add(address);
        }
    }

    /// <summary>The next <paramref name="count"/> messages are refused with <paramref name="code"/> (451 transient, 550 permanent) after their data.</summary>
    public void FailNextData(int count, int code, string text = "Refused by the test")
    {
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _dataFaults.Enqueue($"{code} {text}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] sessions;
        lock (_gate)
        {
            sessions = [.. _sessions];
        }

        await Task.WhenAll(sessions);
        _stopping.Dispose();
    }

    private async Task AcceptAsync(CancellationToken stopping)
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(stopping);
                lock (_gate)
                {
                    _sessions.Add(ServeAsync(client, stopping));
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken stopping)
    {
        using var connection = client;
        await using var stream = connection.GetStream();
        using var reader = new StreamReader(stream, Wire, detectEncodingFromByteOrderMarks: false);
        await using var writer = new StreamWriter(stream, Wire) { NewLine = "\r\n", AutoFlush = true };
        try
        {
            await writer.WriteLineAsync($"220 {Domain} ESMTP ready");
            var greeted = false;
            string? from = null;
            var recipients = new List<string>();
            while (await reader.ReadLineAsync(stopping) is { } line)
            {
                var verb = (line.Length >= 4 ? line[..4] : line).ToUpperInvariant();
                var argument = line.Length > 4 ? line[4..].Trim() : string.Empty;
                switch (verb)
                {
                    case "EHLO":
                        greeted = true;
                        (from, recipients) = (null, []);
                        // No STARTTLS, AUTH, PIPELINING, 8BITMIME: the client speaks plain 7-bit SMTP, one command at a time.
                        await writer.WriteLineAsync($"250-{Domain} greets {argument}");
                        await writer.WriteLineAsync("250 HELP");
                        break;
                    case "HELO":
                        greeted = true;
                        (from, recipients) = (null, []);
                        await writer.WriteLineAsync($"250 {Domain}");
                        break;
                    case "MAIL" when !greeted:
                        await writer.WriteLineAsync("503 5.5.1 Say EHLO first");
                        break;
                    case "MAIL" when argument.StartsWith("FROM:", StringComparison.OrdinalIgnoreCase):
                        (from, recipients) = (Address(argument[5..]), []);
                        await writer.WriteLineAsync("250 2.1.0 Sender OK");
                        break;
                    case "RCPT" when from is null:
                        await writer.WriteLineAsync("503 5.5.1 Need MAIL first");
                        break;
                    case "RCPT" when argument.StartsWith("TO:", StringComparison.OrdinalIgnoreCase):
                        var recipient = Address(argument[3..]);
                        bool dead;
                        lock (_gate)
                        {
                            dead = _deadMailboxes.Contains(recipient);
                        }

                        if (dead)
                        {
                            await writer.WriteLineAsync("550 5.1.1 No such user here");
                            break;
                        }

                        recipients.Add(recipient);
                        await writer.WriteLineAsync("250 2.1.5 Recipient OK");
                        break;
                    case "DATA" when recipients.Count == 0:
                        await writer.WriteLineAsync("503 5.5.1 Need RCPT first");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                        var raw = await ReadDataAsync(reader, stopping);
                        Interlocked.Increment(ref _waitingForReply);
                        try
                        {
                            await Task.Delay(ReplyDelay, stopping);
                            await ReplyGate.WaitAsync(stopping);
                        }
                        finally
                        {
                            Interlocked.Decrement(ref _waitingForReply);
                        }

                        await writer.WriteLineAsync(Receive(from!, recipients, raw));
                        (from, recipients) = (null, []);
                        break;
                    case "RSET":
                        (from, recipients) = (null, []);
                        await writer.WriteLineAsync("250 2.0.0 OK");
                        break;
                    case "NOOP":
                        await writer.WriteLineAsync("250 2.0.0 OK");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync($"221 2.0.0 {Domain} closing");
                        return;
                    case "AUTH" or "STAR":
                        await writer.WriteLineAsync("502 5.5.1 Not offered");
                        break;
                    default:
                        await writer.WriteLineAsync("500 5.5.2 Command not recognized");
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The client hung up without QUIT (MailKit does after a refusal), or the server is stopping.
        }
    }

    /// <summary>Lines up to the lone ".", with the leading dot of "..." lines removed (RFC 5321 4.5.2).</summary>
    private static async Task<byte[]> ReadDataAsync(StreamReader reader, CancellationToken stopping)
    {
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(stopping) is { } line && line != ".")
        {
            data.Append(line.StartsWith('.') ? line[1..] : line).Append("\r\n");
        }

        return Wire.GetBytes(data.ToString());
    }

    /// <summary>Records the attempt and answers it: the next queued fault, else 250 and the message is kept.</summary>
    private string Receive(string from, List<string> recipients, byte[] raw)
    {
        lock (_gate)
        {
            var reply = _dataFaults.TryDequeue(out var fault) ? fault : "250 2.0.0 Queued";
            _attempts.Add(new SmtpDataAttempt(from, [.. recipients], int.Parse(reply[..3], System.Globalization.CultureInfo.InvariantCulture)));
            if (fault is null)
            {
                using var stream = new MemoryStream(raw);
                _messages.Add(new SmtpReceivedMessage(from, [.. recipients], raw, MimeMessage.Load(stream)));
            }

            return reply;
        }
    }

    /// <summary>The address inside &lt;...&gt; of a MAIL FROM or RCPT TO argument, without parameters such as SIZE=.</summary>
    private static string Address(string argument)
    {
        var start = argument.IndexOf('<', StringComparison.Ordinal);
        var end = argument.IndexOf('>', StringComparison.Ordinal);
        return start >= 0 && end > start ? argument[(start + 1)..end] : argument.Trim();
    }
}

/// <summary>An accepted message: its envelope, the bytes as received (unstuffed) and MimeKit's parse of them.</summary>
public sealed record SmtpReceivedMessage(string EnvelopeFrom, IReadOnlyList<string> Recipients, byte[] Raw, MimeMessage Message);

/// <summary>One DATA transfer and the reply code it got.</summary>
public sealed record SmtpDataAttempt(string EnvelopeFrom, IReadOnlyList<string> Recipients, int ReplyCode);
