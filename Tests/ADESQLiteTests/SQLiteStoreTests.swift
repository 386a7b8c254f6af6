import ADECore
import ADESupport
import ADETesting
import Foundation
import GRDB
import Testing

@testable import ADESQLite

struct SQLiteStoreTests {
    @Test(arguments: StoreConformance.checks)
    func passesTheStoreBatteryInMemory(_ check: StoreConformance.Check) async throws {
        try await check.run(on: SQLiteStore.inMemory())
    }

    @Test(arguments: StoreConformance.checks)
    func passesTheStoreBatteryOnDisk(_ check: StoreConformance.Check) async throws {
        try await TemporaryDirectory.with { directory in
            try await check.run(on: SQLiteStore(path: directory.path("ade.sqlite")))
        }
    }

    @Test func anEmptyTextStaysEmptyAndAMissingOneStaysMissing() async throws {
        let store = try SQLiteStore.inMemory()
        let token = try await store.createToken(
            name: "T",
            baseURL: URL(string: "https://mdmenrollment.apple.com")!,
            createdAt: Date(timeIntervalSince1970: 0)
        )
        _ = try await store.applyPage(
            [DeviceRecord(serialNumber: "X", model: "", description: nil, color: "")],
            cursor: SyncCursorState(phase: .sync, cursor: "c", fetchGeneration: 1),
            completesFetch: false,
            tokenID: token.id,
            now: Date(timeIntervalSince1970: 0)
        )
        let device = try #require(
            try await store.devices(tokenID: token.id, after: nil, limit: 1, includeRemoved: true).first
        )
        #expect(device.device.model == "")
        #expect(device.device.color == "")
        #expect(device.device.description == nil)
        #expect(device.device.assetTag == nil)
    }

    @Test func keepsEverythingAcrossReopening() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.path("ade.sqlite")
            let now = Date(timeIntervalSince1970: 1_790_000_000)
            let id: Int64
            do {
                let store = try SQLiteStore(path: path)
                let token = try await store.createToken(
                    name: "T",
                    baseURL: URL(string: "https://mdmenrollment.apple.com")!,
                    createdAt: now
                )
                id = token.id
                try await store.setSecrets(SealedTokenSecrets(credentials: [9, 9]), tokenID: id)
                try await store.setKeyCheckValue("check")
                var device = DeviceRecord(
                    serialNumber: "X",
                    model: "Mac mini",
                    deviceFamily: .mac,
                    profileStatus: .pushed
                )
                device.imei = ["1", "2"]
                device.isReplacementDevice = true
                _ = try await store.applyPage(
                    [device],
                    cursor: SyncCursorState(phase: .sync, cursor: "abc", fetchGeneration: 3, lastFullFetchAt: now),
                    completesFetch: false,
                    tokenID: id,
                    now: now
                )
            }
            let reopened = try SQLiteStore(path: path)
            #expect(try await reopened.token(id: id)?.name == "T")
            #expect(try await reopened.secrets(tokenID: id).credentials == [9, 9])
            #expect(try await reopened.keyCheckValue() == "check")
            #expect(try await reopened.cursor(tokenID: id)?.cursor == "abc")
            let device = try #require(try await reopened.device(tokenID: id, serial: "X"))
            #expect(device.device.imei == ["1", "2"], "fields without a column survive")
            #expect(device.device.isReplacementDevice == true)
            #expect(device.fetchGeneration == 3)
        }
    }

    @Test func aVersion1DatabaseKeepsItsDevicesThroughTheMigration() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.path("ade.sqlite")
            do {
                let queue = try DatabaseQueue(path: path)
                try SQLiteSchema.migrator.migrate(queue, upTo: "v1")
                try await queue.write { db in
                    try db.execute(
                        sql: """
                            INSERT INTO tokens (name, base_url, created_at) VALUES ('T', 'https://a.example', 0);
                            INSERT INTO devices (token_id, serial, model, op_date, removed_at, fetch_generation,
                                updated_at)
                            VALUES (1, 'OLD1', 'iPad', 100, NULL, 2, 5), (1, 'OLD2', 'Mac', 50, 60, 1, 6);
                            """
                    )
                }
            }
            let store = try SQLiteStore(path: path)
            let old = try #require(try await store.device(tokenID: 1, serial: "OLD1"))
            #expect(old.device.model == "iPad")
            #expect(old.device.opDate == Date(timeIntervalSince1970: 100))
            #expect(old.fetchGeneration == 2)
            #expect(try await store.device(tokenID: 1, serial: "OLD2")?.removedAt == Date(timeIntervalSince1970: 60))
            // The unique serial index took over from the old primary key: a record updates, never duplicates.
            let changes = try await store.applyPage(
                [
                    DeviceRecord(
                        serialNumber: "OLD1",
                        model: "iPad Pro",
                        opType: .modified,
                        opDate: Date(timeIntervalSince1970: 200)
                    )
                ],
                cursor: SyncCursorState(phase: .sync, cursor: "c", fetchGeneration: 2),
                completesFetch: false,
                tokenID: 1,
                now: Date(timeIntervalSince1970: 300)
            )
            #expect(changes.modified == 1)
            #expect(try await store.deviceCount(tokenID: 1, includeRemoved: true) == 2)
            #expect(try await store.device(tokenID: 1, serial: "OLD1")?.device.model == "iPad Pro")
        }
    }

    @Test func aVersion7DatabaseKeepsItsAssignmentRecordsThroughTheMigration() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.path("ade.sqlite")
            do {
                let queue = try DatabaseQueue(path: path)
                try SQLiteSchema.migrator.migrate(queue, upTo: "v7")
                try await queue.write { db in
                    try db.execute(
                        sql: """
                            INSERT INTO tokens (name, base_url, created_at) VALUES ('T', 'https://a.example', 0);
                            INSERT INTO devices (token_id, serial, fetch_generation, updated_at)
                            VALUES (1, 'B', 1, 5), (1, 'A', 1, 5);
                            INSERT INTO device_assignments (token_id, serial, status, profile_uuid, failures,
                                next_attempt_at, last_result, updated_at)
                            VALUES (1, 'A', 'failed', 'U1', 2, 900, 'FAILED', 10),
                                (1, 'B', 'assigned', 'U1', 0, NULL, 'SUCCESS', 11),
                                (1, 'GONE', 'pending', 'U1', 0, NULL, NULL, 12);
                            """
                    )
                }
            }
            let store = try SQLiteStore(path: path)
            let records = try await store.assignments(tokenID: 1, serialNumbers: ["A", "B", "GONE"])
            #expect(
                records["A"]
                    == DeviceAssignment(
                        tokenID: 1,
                        serialNumber: "A",
                        status: .failed,
                        profileUUID: "U1",
                        failures: 2,
                        nextAttemptAt: Date(timeIntervalSince1970: 900),
                        lastResult: "FAILED",
                        updatedAt: Date(timeIntervalSince1970: 10)
                    )
            )
            #expect(records["B"]?.status == .assigned)
            #expect(records["GONE"] == nil, "a record without a device is not kept")
            #expect(try await store.assignmentCounts(tokenID: 1) == [.failed: 1, .assigned: 1])
        }
    }

    @Test func anUnusablePathIsAClearError() throws {
        #expect(throws: StoreError(.unavailable)) { try SQLiteStore(path: "/proc/ade/nowhere.sqlite") }
    }

    @Test func theFileHoldsNoSecretInClear() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.path("ade.sqlite")
            let store = try SQLiteStore(path: path)
            let box = SecretBox(key: MasterKey.generate())
            let token = try await store.createToken(
                name: "T",
                baseURL: URL(string: "https://mdmenrollment.apple.com")!,
                createdAt: Date()
            )
            let secret = "CS_" + String(repeating: "5ec7", count: 10)
            try await store.setSecrets(
                SealedTokenSecrets(credentials: box.seal(secret, context: "token/\(token.id)/credentials")),
                tokenID: token.id
            )
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            for suffix in ["-wal", "-shm"] {
                if let extra = try? Data(contentsOf: URL(fileURLWithPath: path + suffix)) { bytes += extra }
            }
            #expect(bytes.range(of: Data(secret.utf8)) == nil)
            #expect(bytes.range(of: Data("5ec75ec7".utf8)) == nil)
        }
    }
}
