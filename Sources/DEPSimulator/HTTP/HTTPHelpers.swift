import ADESupport
import DEPClient
import Foundation
import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    static let admAuthSession = HTTPField.Name("X-ADM-Auth-Session")!
    static let serverProtocolVersion = HTTPField.Name("X-Server-Protocol-Version")!
}

/// Small builders of the simulator's answers.
enum Answer {
    static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json;charset=UTF8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response
    {
        // The wire types always encode.
        json(try! JSONCoding.encode(value), status: status, headers: headers)
    }

    static func text(_ text: String, status: HTTPResponse.Status, contentType: String = "text/plain;charset=UTF-8")
        -> Response
    {
        Response(
            status: status,
            headers: [.contentType: contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text))
        )
    }

    /// An error answer of the Apple side, its body in the configured style.
    static func failure(_ failure: AppleFailure, style: String) -> Response {
        var response: Response
        if failure.code.hasPrefix("oauth_problem=") {
            response = text(failure.code, status: .init(code: failure.status))
        } else {
            switch style {
            case "quoted":
                response = text(
                    "\"\(failure.code)\"",
                    status: .init(code: failure.status),
                    contentType: "application/json"
                )
            case "object":
                response = text(
                    "{\"code\":\"\(failure.code)\"}",
                    status: .init(code: failure.status),
                    contentType: "application/json"
                )
            default:
                response = text(failure.code, status: .init(code: failure.status))
            }
        }
        if let retryAfter = failure.retryAfter {
            response.headers[.retryAfter] = retryAfter
        }
        return response
    }

    static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}

/// `application/x-www-form-urlencoded` bodies of the ABM page.
enum FormBody {
    static func parse(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (part: Substring) in
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
            }
            fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }
}

/// Escapes text for HTML.
func htmlEscaped(_ text: String) -> String {
    var result = ""
    for character in text {
        switch character {
        case "&": result += "&amp;"
        case "<": result += "&lt;"
        case ">": result += "&gt;"
        case "\"": result += "&quot;"
        case "'": result += "&#39;"
        default: result.append(character)
        }
    }
    return result
}
