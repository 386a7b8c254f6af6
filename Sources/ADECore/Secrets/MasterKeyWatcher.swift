public import ADESupport
public import Logging
public import ServiceLifecycle

/// Keeps a running server's master key the database's: when `ade key rotate` runs in another process, the key
/// check in the database changes, and the watcher loads the new key from where the server got its own (the key file)
/// and gives it to the ``SecretBox`` that every service shares. Until then, and for good when the key comes from
/// `ADE_MASTER_KEY` (which a running process cannot re-read), the store refuses what is sealed under the old key
/// (`master_key_changed`), so that nothing is ever stored under a key the database no longer has.
public struct MasterKeyWatcher: Service {
    let store: any SecretStore & ChangeTracking
    let box: SecretBox
    let load: @Sendable () throws -> MasterKey
    let timeSource: any TimeSource
    let interval: Duration
    let logger: Logger

    /// - Parameters:
    ///   - load: The key as its source holds it now (``MasterKeyLoader/current(environment:keyFilePath:)``).
    ///   - interval: How often the store's change stamp is looked at; the key check is read only after a change.
    public init(
        store: any SecretStore & ChangeTracking,
        box: SecretBox,
        load: @escaping @Sendable () throws -> MasterKey,
        timeSource: any TimeSource,
        interval: Duration = .seconds(2),
        logger: Logger
    ) {
        self.store = store
        self.box = box
        self.load = load
        self.timeSource = timeSource
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var seen: UInt64?
            var reported: String?
            while !Task.isCancelled {
                let stamp = store.changeStamp()
                if stamp != seen {
                    seen = stamp
                    reported = await check(reported: reported)
                }
                do { try await timeSource.sleep(for: interval) } catch { return }
            }
        }
    }

    /// One look, as the loop makes after each change: gives the box the database's key when it has another.
    /// - Parameter reported: The key check this watcher already reported it could not follow (logged once).
    /// - Returns: The database's key check when the box could not take its key, else nil.
    public func check(reported: String?) async -> String? {
        let stored: String
        do {
            guard let value = try await store.keyCheckValue(), value != box.keyCheck else { return nil }
            stored = value
        } catch {
            return reported
        }
        if let key = try? load(), key.matches(checkValue: stored) {
            box.replaceKey(key)
            logger.notice("The master key was rotated by another process; this server uses the new key")
            return nil
        }
        if reported != stored {
            logger.error(
                """
                The master key was rotated by another process and this server cannot load the new one: restart it \
                with the new key (ADE_MASTER_KEY or the key file). Until then it stores no new secret.
                """
            )
        }
        return stored
    }
}
