import Foundation
import PostgresNIO
import TesseraStore

/// Reads columns of one result row by name.
struct PostgresRowReader: Sendable {
    let row: PostgresRandomAccessRow

    init(_ row: PostgresRow) { self.row = row.makeRandomAccess() }

    func text(_ column: String) throws(StoreError) -> String { try decode(column, as: String.self) }
    func optionalText(_ column: String) throws(StoreError) -> String? { try decode(column, as: String?.self) }
    func int(_ column: String) throws(StoreError) -> Int { try decode(column, as: Int.self) }
    func optionalInt(_ column: String) throws(StoreError) -> Int? { try decode(column, as: Int?.self) }
    func bool(_ column: String) throws(StoreError) -> Bool { try decode(column, as: Bool.self) }
    func date(_ column: String) throws(StoreError) -> Date { Date(timeIntervalSince1970: try decode(column, as: Double.self)) }
    func optionalDate(_ column: String) throws(StoreError) -> Date? { try decode(column, as: Double?.self).map(Date.init(timeIntervalSince1970:)) }
    func bytes(_ column: String) throws(StoreError) -> Data? { try decode(column, as: Data?.self) }

    /// A column that does not decode as its type means the schema is not the one this tessera knows.
    private func decode<Value: PostgresDecodable>(_ column: String, as type: Value.Type) throws(StoreError) -> Value {
        do {
            return try row[column].decode(Value.self)
        } catch {
            throw StoreError.unavailable("the column \(column) does not read as \(Value.self): \(PostgresStore.describe(error))")
        }
    }
}
