import Foundation

/// The HTTPS proxy for calls to Apple, read the way command-line tools read it: `HTTPS_PROXY` (or `https_proxy`)
/// names the proxy, `NO_PROXY` (or `no_proxy`) lists hosts reached directly.
public struct ProxySettings: Sendable, Hashable {
    /// The proxy's host.
    public var host: String
    /// The proxy's port (default 3128 when the URL names none, 80 for `http://`, 443 for `https://` with a port).
    public var port: Int
    /// `user:password` from the proxy URL, if any (kept out of descriptions).
    public var username: String?
    public var password: String?
    /// Hosts and domain suffixes reached without the proxy; `*` means every host.
    public var bypass: [String]

    /// Creates settings.
    public init(host: String, port: Int, username: String? = nil, password: String? = nil, bypass: [String] = []) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.bypass = bypass
    }

    /// Reads `HTTPS_PROXY` / `https_proxy` and `NO_PROXY` / `no_proxy`; `nil` when no proxy is set.
    public init?(environment: [String: String]) {
        guard let value = environment["HTTPS_PROXY"] ?? environment["https_proxy"], !value.isEmpty else {
            return nil
        }
        self.init(url: value, noProxy: environment["NO_PROXY"] ?? environment["no_proxy"])
    }

    /// Reads a proxy URL (`http://user:pass@proxy:3128`, or `proxy:3128`) and a `NO_PROXY` list.
    public init?(url: String, noProxy: String? = nil) {
        let text = url.contains("://") ? url : "http://\(url)"
        guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
            return nil
        }
        self.init(
            host: host,
            port: components.port ?? 3128,
            username: components.user?.removingPercentEncoding,
            password: components.password?.removingPercentEncoding,
            bypass: (noProxy ?? "").split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            }.filter { !$0.isEmpty }
        )
    }

    /// Whether a request to `host` goes through the proxy.
    public func applies(to host: String) -> Bool {
        let host = host.lowercased()
        for entry in bypass {
            if entry == "*" { return false }
            let domain = entry.hasPrefix(".") ? String(entry.dropFirst()) : entry
            let bare = domain.split(separator: ":").first.map(String.init) ?? domain
            if host == bare || host.hasSuffix("." + bare) { return false }
        }
        return true
    }
}
