import NIOCore
import PostgresNIO

/// One column of many rows, sent as a single one-dimensional array parameter and read back with `unnest`.
///
/// A statement of a few fixed array parameters is parsed and planned in microseconds, where a `VALUES` list of a
/// thousand rows of twenty parameters each took PostgreSQL 14 ms to parse and bind before any row was written.
/// postgres-nio's `Array` encodes no NULL element, and most device columns may be NULL, so the array's binary form
/// (`array_recv`: dimensions, has-nulls flag, element type, then per dimension its length and lower bound, then each
/// element as a length and its bytes, -1 for NULL) is written here.
struct PostgresColumn<Element: PostgresArrayEncodable & PostgresNonThrowingEncodable>: PostgresNonThrowingEncodable {
    var values: [Element?]

    init(_ values: [Element?]) {
        self.values = values
    }

    static var psqlType: PostgresDataType { Element.psqlArrayType }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(
        into buffer: inout ByteBuffer,
        context: PostgresEncodingContext<JSONEncoder>
    ) {
        buffer.writeInteger(values.isEmpty ? 0 : 1, as: Int32.self)
        buffer.writeInteger(values.contains { $0 == nil } ? 1 : 0, as: Int32.self)
        buffer.writeInteger(Element.psqlType.rawValue)
        guard !values.isEmpty else { return }
        buffer.writeInteger(Int32(values.count))
        buffer.writeInteger(1, as: Int32.self)
        for value in values {
            guard let value else {
                buffer.writeInteger(-1, as: Int32.self)
                continue
            }
            let lengthIndex = buffer.writerIndex
            buffer.writeInteger(0, as: Int32.self)
            let start = buffer.writerIndex
            value.encode(into: &buffer, context: context)
            buffer.setInteger(Int32(buffer.writerIndex - start), at: lengthIndex)
        }
    }
}
