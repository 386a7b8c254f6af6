import ADECore
import ADESupport
import Foundation
import Synchronization

/// The progress line of `ade sync` on a terminal: redrawn in place on standard error after each page, at most ten
/// times a second, and cleared when the run ends so that only the summary stays.
///
/// A full fetch is drawn as a bar against the token's device count before the run (Apple does not say how many
/// devices a fetch will return, so the count is an estimate and the bar stops at 99 % until the fetch ends); a delta
/// sync, or a first fetch, counts pages and devices.
final class SyncProgressBar: Sendable {
    private struct State {
        var lastDrawn: ContinuousClock.Instant?
        var drawn = false
    }

    private let name: String
    private let expected: Int
    private let locale: MessageLocale
    private let console: Console
    private let started = ContinuousClock.now
    private let state = Mutex(State())

    /// - Parameters:
    ///   - name: The token's name.
    ///   - expected: The token's devices before the run (0 when unknown).
    init(name: String, expected: Int, locale: MessageLocale, console: Console) {
        self.name = name
        self.expected = expected
        self.locale = locale
        self.console = console
    }

    /// Draws the line for a page's progress, unless one was drawn less than 100 ms ago.
    func update(_ progress: TokenSyncer.Progress) {
        let now = ContinuousClock.now
        let due = state.withLock { state in
            if let last = state.lastDrawn, now - last < .milliseconds(100) { return false }
            state.lastDrawn = now
            state.drawn = true
            return true
        }
        guard due else { return }
        let line = Self.render(
            progress,
            name: name,
            expected: expected,
            elapsed: now - started,
            width: console.terminalWidth,
            locale: locale
        )
        console.progress(line)
    }

    /// Clears the line, if one was drawn.
    func finish() {
        if state.withLock({ $0.drawn }) { console.progress("") }
    }

    /// The text of the line, at most `width` characters.
    static func render(
        _ progress: TokenSyncer.Progress,
        name: String,
        expected: Int,
        elapsed: Duration,
        width: Int,
        locale: MessageLocale
    ) -> String {
        let catalogue = MessageCatalogue.bundled
        let seconds = max(elapsed.timeInterval, 0.001)
        let rate = Int((Double(progress.devices) / seconds).rounded())
        let text: String
        if progress.phase == .fetch, expected > 0 {
            let fraction = min(Double(progress.devices) / Double(expected), 0.99)
            let cells = 20
            let filled = Int((fraction * Double(cells)).rounded(.down))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: cells - filled)
            text = catalogue.string(
                .syncProgressEstimated,
                locale: locale,
                [
                    "name": .string(name), "bar": .string(bar), "percent": .int(Int(fraction * 100)),
                    "devices": .int(progress.devices), "expected": .int(expected), "rate": .int(rate),
                ]
            )
        } else {
            text = catalogue.string(
                .syncProgressCounting,
                locale: locale,
                [
                    "name": .string(name),
                    "phase": .string(
                        catalogue.string(progress.phase == .fetch ? .syncPhaseFetch : .syncPhaseSync, locale: locale)
                    ),
                    "pages": .int(progress.pages), "devices": .int(progress.devices), "rate": .int(rate),
                ]
            )
        }
        return text.count > width ? String(text.prefix(max(width - 1, 0))) + "…" : text
    }
}
