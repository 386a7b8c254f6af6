import ADECore
import ADESQLite
import ADESupport
import ADETesting
import DEPClient
import Foundation
import Logging
import Testing

@testable import ADECommands

/// `ade key rotate` while a server runs on the same database: nothing is ever stored under the old key, and the
/// server moves to the new key by itself.
struct KeyRotationBesideServerTests {
    @Test func aServerKeepsWorkingAcrossARotationAndNothingIsSealedUnderTheOldKey() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.path("ade.sqlite")
            let database = ["--database", path]
            let keyFile = MasterKeyLoader.keyFilePath(forDatabase: path)
            // The "server": its own connection, its key loaded at start, its services sharing one box.
            let store = try SQLiteStore(path: path)
            let (key, _) = try await MasterKeyLoader.load(environment: [:], keyFilePath: keyFile, store: store)
            let box = SecretBox(key: key)
            let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
            let tokens = TokenService(
                store: store,
                box: box,
                client: DEPClient(transport: UnusedTransport(), logger: logger),
                timeSource: SystemTimeSource(),
                allowCustomURL: false,
                logger: logger
            )
            let webhooks = WebhookService(store: store, box: box, timeSource: SystemTimeSource(), logger: logger)
            _ = try await tokens.create(name: "Before")
            _ = try await webhooks.add(
                name: "hook",
                url: "https://hooks.example.com/x?key=secret",
                allowsPrivateNetwork: false
            )

            let rotated = await CommandHarness.run(["key", "rotate"] + database)
            #expect(rotated.status == 0, "\(rotated.error)")

            // Before the server notices: its writes under the old key are refused, not stored.
            await #expect(throws: StoreError(.masterKeyChanged)) { try await tokens.create(name: "Refused") }
            await #expect(throws: StoreError(.masterKeyChanged)) {
                try await webhooks.add(name: "late", url: "https://hooks.example.com/late", allowsPrivateNetwork: false)
            }
            // What the server read before still opens (its box keeps the old key for that).
            let watcher = MasterKeyWatcher(
                store: store,
                box: box,
                load: { try #require(try MasterKeyLoader.current(environment: [:], keyFilePath: keyFile)).0 },
                timeSource: SystemTimeSource(),
                logger: logger
            )
            #expect(await watcher.check(reported: nil) == nil)
            #expect(box.keyCheck == (try await store.keyCheckValue()))

            _ = try await tokens.create(name: "After")
            for name in ["Before", "After"] {
                let certificate = await CommandHarness.run(["token", "certificate", name] + database)
                #expect(certificate.status == 0, "\(name): \(certificate.error)")
                #expect(certificate.output.hasPrefix("-----BEGIN CERTIFICATE-----"))
            }
            #expect(await CommandHarness.run(["token", "show", "Refused"] + database).status != 0, "never stored")
            // The webhook made before the rotation was resealed with it: the new key opens its URL.
            let newKey = try #require(try MasterKeyLoader.current(environment: [:], keyFilePath: keyFile)).0
            let hook = try #require(try await store.webhook(named: "hook"))
            #expect(
                try SecretBox(key: newKey).openString(hook.sealedURL, context: WebhookService.urlContext)
                    == "https://hooks.example.com/x?key=secret"
            )
        }
    }

    @Test func aServerWhoseKeyComesFromTheEnvironmentSaysItCannotFollow() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.path("ade.sqlite")
            let store = try SQLiteStore(path: path)
            let old = MasterKey.generate()
            try await store.setKeyCheckValue(MasterKey.generate().checkValue)
            let box = SecretBox(key: old)
            let watcher = MasterKeyWatcher(
                store: store,
                box: box,
                load: { old },
                timeSource: SystemTimeSource(),
                logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
            )
            #expect(await watcher.check(reported: nil) != nil, "reported")
            #expect(box.keyCheck == old.checkValue, "the box keeps its key; the store refuses its writes")
        }
    }
}

/// A transport for services that never call Apple in the test.
struct UnusedTransport: DEPTransport {
    func send(_ request: DEPHTTPRequest, timeout: Duration) async throws -> DEPHTTPResponse {
        throw DEPError(.unreachable, endpoint: "")
    }
}
