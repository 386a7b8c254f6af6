public import Foundation
import NIOCore

/// The OpenAPI 3.1 document of `/api/v1` (`Resources/OpenAPI/openapi.yaml`), served at `/api/openapi.yaml`. A test
/// checks that it describes exactly the routes the router has.
public enum OpenAPIDocument {
    /// Where the document is, in the module's resources.
    public static var url: URL? {
        Bundle.module.url(forResource: "OpenAPI/openapi", withExtension: "yaml")
    }

    static func load() throws -> ByteBuffer {
        guard let url, let data = try? Data(contentsOf: url) else {
            throw ServerError(.internal, parameters: ["detail": "the OpenAPI document is missing"])
        }
        return ByteBuffer(bytes: data)
    }
}
