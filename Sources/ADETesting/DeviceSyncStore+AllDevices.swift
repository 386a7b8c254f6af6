public import ADECore

extension DeviceSyncStore {
    /// Every device of a token, in serial order, read by keyset paging (`pageSize` at a time), duplicates and all:
    /// what a test compares with Apple's list.
    public func allDevices(tokenID: Int64, includeRemoved: Bool = false, pageSize: Int = 1000) async throws
        -> [StoredDevice]
    {
        var devices: [StoredDevice] = []
        var after: String?
        while true {
            let page = try await self.devices(
                tokenID: tokenID,
                after: after,
                limit: pageSize,
                includeRemoved: includeRemoved
            )
            devices += page
            guard let last = page.last, page.count == pageSize else { return devices }
            after = last.serialNumber
        }
    }
}
