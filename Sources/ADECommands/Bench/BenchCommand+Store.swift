import ADECore
import ADESQLite
import ADESupport
import ArgumentParser
import DEPSimulator
import Foundation

extension BenchCommand {
    /// `ade bench store [--devices N]`: the SQLite store's page writes alone, without HTTP or JSON.
    struct Store: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write N devices into a new SQLite store page by page, as a full fetch does, and time it.",
            discussion: """
                Devices carry random serial numbers, as Apple sends them. Only the store's page transactions are \
                timed (each page with its cursor and the lease renewal); making the records is not. Then the same \
                devices are written again as a second full fetch (every row marked seen). Build with -c release.
                """
        )
        @Option(name: .long, help: "Devices to write.") var devices: Int = 1_000_000
        @Option(name: .long, help: "Devices per page.") var pageSize: Int = 1000

        func run() async throws {
            let directory = try BenchCommand.scratchDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let store = try SQLiteStore(path: directory.appendingPathComponent("ade.sqlite").path)
            let token = try await store.createToken(
                name: "bench",
                baseURL: URL(string: "https://mdmenrollment.apple.com")!,
                createdAt: Date()
            )
            let holder = "bench"
            let lease = SyncLease(
                tokenID: token.id,
                holder: holder,
                host: "bench",
                processID: 0,
                expiresAt: Date().addingTimeInterval(3600)
            )
            _ = try await store.acquireLease(lease, now: Date(), replacing: nil)

            for generation in 1...2 {
                var random = SeededRandom(seed: 0x2545_F491_4F6C_DD1D)  // The same serials in both generations.
                var written = 0
                var elapsed = Duration.zero
                var page = 0
                while written < devices {
                    let count = min(pageSize, devices - written)
                    let records = (0..<count).map { _ in Self.device(&random) }
                    written += count
                    page += 1
                    let completes = written == devices
                    let cursor = SyncCursorState(
                        phase: completes ? .sync : .fetch,
                        cursor: "cursor-\(generation)-\(page)",
                        fetchGeneration: generation,
                        fetchStartedAt: completes ? nil : Date(),
                        lastFullFetchAt: completes ? Date() : nil
                    )
                    let start = ContinuousClock.now
                    _ = try await store.applyPage(
                        records,
                        cursor: cursor,
                        completesFetch: completes,
                        tokenID: token.id,
                        lease: LeaseRenewal(holder: holder, until: Date().addingTimeInterval(3600)),
                        now: Date()
                    )
                    elapsed += ContinuousClock.now - start
                }
                let seconds = elapsed.timeInterval
                Console.current.line(
                    String(
                        format: "%@: %d devices in %d pages: %.2f s, %.0f devices/s",
                        generation == 1 ? "first full fetch (new devices)" : "second full fetch (all seen again)",
                        written,
                        page,
                        seconds,
                        Double(written) / seconds
                    )
                )
            }
            let count = try await store.deviceCount(tokenID: token.id, includeRemoved: true)
            Console.current.line("devices stored: \(count)")
        }

        /// A device with a random 12-character serial and the fields Apple fills in.
        static func device(_ random: inout SeededRandom) -> DeviceRecord {
            let alphabet = Array("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ".utf8)
            let serial = (0..<12).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] }
            return DeviceRecord(
                serialNumber: String(decoding: serial, as: UTF8.self),
                model: "iPhone 15 Pro",
                description: "IPHONE 15 PRO NATURAL TITANIUM 256GB-USA",
                color: "NATURAL TITANIUM",
                deviceFamily: .iPhone,
                os: .iOS,
                profileStatus: .empty,
                deviceAssignedDate: Date(timeIntervalSince1970: 1_700_000_000),
                deviceAssignedBy: "purchasing@example.com"
            )
        }
    }
}
