public import ADESupport
import Foundation

/// Apple's device pages: the direct parser for the shapes Apple sends, with ``JSONCoding`` (Apple's coding, which
/// `ade` shares) behind it.
public enum DEPJSON {
    /// Decodes a fetch or sync page: the direct parser for the shapes Apple sends (about four times faster), else
    /// `JSONDecoder`, which gives the same value, or the error.
    public static func decodePage(_ bytes: [UInt8]) throws -> DevicePage {
        if let page = DevicePageParser.parse(bytes) { return page }
        return try JSONCoding.decoder().decode(DevicePage.self, from: Data(bytes))
    }
}
