import ADECore
import ADESupport
import ArgumentParser
import Foundation
import Logging

/// `ade sync [NAME] [--full]`: one sync run per token, in the foreground.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Sync the devices of one token, or of every token, with Apple now.",
        discussion: """
            Each run is recorded. On a terminal, a progress line shows pages, devices and the rate (a bar against \
            the token's device count during a full fetch). While another process syncs a token, ade sync waits for \
            it (naming it), at most --wait seconds. Exit status 1 when any token failed.
            """
    )
    @Argument(help: "The token's name; every token when left out.") var name: String?
    @Flag(name: .long, help: "Start a new full fetch instead of a delta sync.") var full = false
    @Option(name: .long, help: "Seconds to wait for another process syncing the same token.") var wait: Int = 600
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let locale = global.locale
        try await reportingErrors(locale: locale) {
            let failed = try await storeOptions.withTokenService { service, store, _ in
                let tokens: [EnrollmentToken]
                if let name {
                    let token = try await service.token(named: name)
                    tokens = [token]
                } else {
                    tokens = try await store.tokens().filter { $0.uploadedAt != nil }
                }
                let logger = Logger.commandLine("ade.sync")
                let syncer = TokenSyncer(
                    store: store,
                    tokens: service,
                    client: service.client,
                    timeSource: SystemTimeSource(),
                    assigner: ProfileAssigner(
                        store: store,
                        client: service.client,
                        timeSource: SystemTimeSource(),
                        logger: logger
                    ),
                    logger: logger
                )
                let holder = TokenSyncer.Holder.current()
                try await syncer.closeAbandonedRuns(holder: holder)
                var failed = 0
                for token in tokens {
                    let succeeded = await syncOne(token, syncer: syncer, store: store, holder: holder, locale: locale)
                    if !succeeded { failed += 1 }
                }
                return failed
            }
            if failed > 0 { throw ExitCode.failure }
        }
    }

    /// Syncs one token in the foreground, with a progress line on a terminal, and prints its summary or its error.
    /// - Returns: Whether the sync succeeded.
    private func syncOne(
        _ token: EnrollmentToken,
        syncer: TokenSyncer,
        store: any ADEStore,
        holder: TokenSyncer.Holder,
        locale: MessageLocale
    ) async -> Bool {
        let started = ContinuousClock.now
        let console = Console.current
        let expected =
            console.isTerminal ? (try? await store.deviceCount(tokenID: token.id, includeRemoved: false)) : nil
        let bar = SyncProgressBar(name: token.name, expected: expected ?? 0, locale: locale, console: console)
        var progress: (@Sendable (TokenSyncer.Progress) -> Void)?
        if console.isTerminal {
            progress = { bar.update($0) }
        }
        do {
            let run = try await Self.runWaitingForLease(
                syncer: syncer,
                token: token,
                full: full,
                holder: holder,
                wait: wait,
                locale: locale,
                progress: progress
            )
            bar.finish()
            let devices = try await store.deviceCount(tokenID: token.id, includeRemoved: false)
            console.line(
                Self.summary(
                    run,
                    token: token,
                    devices: devices,
                    elapsed: ContinuousClock.now - started,
                    locale: locale
                )
            )
            return true
        } catch {
            bar.finish()
            console.note(MessageCatalogue.bundled.string(.syncFailed, locale: locale, ["name": .string(token.name)]))
            if let error = error as? any CataloguedError {
                console.report(error, locale: locale, catalogue: .bundled)
            } else {
                console.note(String(describing: error))
            }
            return false
        }
    }

    /// Runs a sync; while another process holds the token's lease, says so once and tries again every 2 seconds, for
    /// at most `wait` seconds.
    static func runWaitingForLease(
        syncer: TokenSyncer,
        token: EnrollmentToken,
        full: Bool,
        holder: TokenSyncer.Holder,
        wait: Int,
        locale: MessageLocale,
        progress: (@Sendable (TokenSyncer.Progress) -> Void)? = nil
    ) async throws -> SyncRun {
        let deadline = ContinuousClock.now + .seconds(max(0, wait))
        var announced = false
        while true {
            do {
                return try await syncer.run(token, forceFull: full, holder: holder, progress: progress)
            } catch let error as SyncError where error.code == .leaseHeld && ContinuousClock.now < deadline {
                if !announced {
                    announced = true
                    Console.current.note(
                        MessageCatalogue.bundled.string(
                            .syncWaiting,
                            locale: locale,
                            [
                                "name": .string(token.name), "holder": .string(error.parameters["holder"] ?? ""),
                                "count": .int(wait),
                            ]
                        )
                    )
                }
                try await Task.sleep(for: .seconds(2))
            }
        }
    }

    static func summary(_ run: SyncRun, token: EnrollmentToken, devices: Int, elapsed: Duration, locale: MessageLocale)
        -> String
    {
        let catalogue = MessageCatalogue.bundled
        return catalogue.string(
            .syncSummary,
            locale: locale,
            [
                "name": .string(token.name),
                "kind": .string(catalogue.string(run.kind == .full ? .syncKindFull : .syncKindDelta, locale: locale)),
                "pages": .int(run.pages), "added": .int(run.added), "modified": .int(run.modified),
                "removed": .int(run.removed), "devices": .int(devices),
                "seconds": .string(String(format: "%.1f", elapsed.timeInterval)),
            ]
        )
    }
}
