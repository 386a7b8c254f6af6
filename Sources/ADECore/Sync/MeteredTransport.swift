public import DEPClient
import Foundation

/// A transport that counts every call to Apple's service by endpoint and answer (``SyncMetrics``), then passes it on.
public struct MeteredTransport: DEPTransport {
    let base: any DEPTransport
    let metrics: SyncMetrics

    public init(_ base: any DEPTransport, metrics: SyncMetrics) {
        self.base = base
        self.metrics = metrics
    }

    public func send(_ request: DEPHTTPRequest, timeout: Duration) async throws -> DEPHTTPResponse {
        let endpoint = request.url.path.isEmpty ? "/" : request.url.path
        do {
            let response = try await base.send(request, timeout: timeout)
            metrics.recordRequest(endpoint: endpoint, status: String(response.status))
            return response
        } catch let error as DEPError {
            metrics.recordRequest(endpoint: endpoint, status: error.code.description)
            throw error
        }
    }
}
