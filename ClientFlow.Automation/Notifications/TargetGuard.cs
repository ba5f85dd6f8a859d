using System.Net;
using System.Net.Http;
using System.Net.Sockets;

namespace ClientFlow.Automation.Notifications;

/// <summary>
/// Keeps an IB's notification webhooks off the operator's own network. <see cref="ConnectAsync"/> is the webhook
/// client's connect callback: it resolves the host once, refuses unless every address is public, and connects to
/// exactly those addresses, so what was checked is what is connected (no second lookup for a rebinding DNS server to
/// answer differently), and the client uses no proxy that would connect on its behalf. <see cref="CheckUrl"/> refuses
/// a literal private address early, when the workflow is published.
/// </summary>
public static class TargetGuard
{
    public const string Refusal = "Webhooks cannot go to private or loopback addresses.";

    /// <summary>
    /// Not loopback, private, shared (CGNAT), link-local (the cloud metadata address among them), multicast, reserved or
    /// documentation space, in IPv4 or IPv6, nor an IPv6 form that carries such an IPv4 address (mapped, NAT64, 6to4) or
    /// tunnels to one (Teredo).
    /// </summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6 ? IsPublicV6(address) : IsPublicV4(address.GetAddressBytes());
    }

    /// <summary>An absolute http(s) URL; with <paramref name="allowPrivate"/> false a literal private address is refused too.</summary>
    public static string? CheckUrl(string? url, bool allowPrivate)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return "Enter an absolute http(s) URL.";
        }

        if (!allowPrivate && (uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out var ip) && !IsPublic(ip))))
        {
            return Refusal;
        }

        return null;
    }

    /// <summary>The webhook client's connect callback (<see cref="SocketsHttpHandler.ConnectCallback"/>).</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> Connector(bool allowPrivate) =>
        (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, allowPrivate, cancellationToken);

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endPoint, bool allowPrivate, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(endPoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endPoint.Host, cancellationToken);
        if (!allowPrivate && (addresses.Length == 0 || !addresses.All(IsPublic)))
        {
            throw new TargetRefusedException($"{Refusal} {endPoint.Host} is {string.Join(", ", addresses.Select(a => a.ToString()))}.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static bool IsPublicV4(ReadOnlySpan<byte> b) => !(
        b[0] == 0                                           // "this network"
        || b[0] == 10                                       // private
        || b[0] == 127                                      // loopback
        || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)       // shared address space (CGNAT)
        || (b[0] == 169 && b[1] == 254)                     // link-local, cloud metadata (169.254.169.254)
        || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)        // private
        || (b[0] == 192 && b[1] == 0 && b[2] == 0)          // IETF protocol assignments
        || (b[0] == 192 && b[1] == 0 && b[2] == 2)          // documentation
        || (b[0] == 192 && b[1] == 168)                     // private
        || (b[0] == 198 && (b[1] == 18 || b[1] == 19))      // benchmarking
        || (b[0] == 198 && b[1] == 51 && b[2] == 100)       // documentation
        || (b[0] == 203 && b[1] == 0 && b[2] == 113)        // documentation
        || b[0] >= 224);                                    // multicast, reserved, broadcast

    private static bool IsPublicV6(IPAddress address)
    {
        if (IPAddress.IsLoopback(address) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal
            || address.IsIPv6Multicast || address.IsIPv6Teredo)
        {
            return false;
        }

        var b = address.GetAddressBytes();
        if (b.AsSpan(0, 4).SequenceEqual(Nat64Prefix))
        {
            // 64:ff9b::/96 carries an IPv4 address in its last four bytes; 64:ff9b:1::/48 is a network's own NAT64.
            return b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0 && IsPublicV4(b.AsSpan(12, 4));
        }

        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return IsPublicV4(b.AsSpan(2, 4)); // 6to4: 2002:AABB:CCDD::/48 is the IPv4 address AA.BB.CC.DD
        }

        var documentation = b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8; // 2001:db8::/32
        var compatibleOrUnspecified = b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0;       // ::/96, :: and ::a.b.c.d
        return !documentation && !compatibleOrUnspecified;
    }

    private static readonly byte[] Nat64Prefix = [0x00, 0x64, 0xff, 0x9b];
}

/// <summary>A webhook target the guard refused: permanent, since the same host will resolve the same way.</summary>
public sealed class TargetRefusedException(string message) : IOException(message);
