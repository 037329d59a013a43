import JWTKit
import TesseraJSON

extension JWTHeaderField {
    /// A header member as jwt-kit holds it: whole numbers as `.int`, other numbers as `.decimal`, as
    /// jwt-kit's own decoder reads header numbers.
    init(_ value: JSONValue) {
        switch value {
        case .string(let string): self = .string(string)
        case .number(let number): self = Int(exactly: number).map { .int($0) } ?? .decimal(number)
        case .bool(let flag): self = .bool(flag)
        case .null: self = .null
        case .array(let values): self = .array(values.map(JWTHeaderField.init))
        case .object(let members): self = .object(members.mapValues(JWTHeaderField.init))
        }
    }
}
