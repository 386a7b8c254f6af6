import ADECore
import ADESupport
import Foundation
import Hummingbird

/// A JSON request body of `/api/v1`: the top-level fields it takes, so that any other is refused by name rather than
/// ignored (`{"url": …}` for `base_url` would otherwise create a token that points at Apple), and the shape an error
/// shows.
protocol APIRequestBody: Decodable {
    /// The top-level fields, as the JSON names them.
    static var fields: [String] { get }
    /// The body's shape, for the error of a body that is not one.
    static var example: String { get }
}

extension APIController {
    /// The largest JSON body a route reads.
    static let maximumBodySize = 1 << 20

    /// Reads a JSON object body: `unknown_fields` (400) for a field the route does not take, `invalid_body` (400) for
    /// anything that is not such an object. Nothing is done before it returns.
    func decode<T: APIRequestBody>(_ type: T.Type, _ request: Request) async throws -> T {
        let invalid = APIError(.badRequest, ServerError(.invalidBody, parameters: ["example": T.example]))
        let data: Data
        do {
            data = Data(try await request.body.collect(upTo: Self.maximumBodySize).readableBytesView)
        } catch {
            throw invalid
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw invalid }
        let unknown = Set(object.keys).subtracting(T.fields).sorted()
        guard unknown.isEmpty else {
            throw APIError(
                .badRequest,
                ServerError(
                    .unknownFields,
                    parameters: [
                        "fields": unknown.map { #""\#($0.loggable(limit: 64))""# }.joined(separator: ", "),
                        "known": T.fields.map { #""\#($0)""# }.joined(separator: ", "),
                    ]
                )
            )
        }
        do {
            return try JSONCoding.decoder().decode(T.self, from: data)
        } catch {
            throw invalid
        }
    }
}
