import Foundation
import Testing
import TesseraResourceServer
import TesseraStore

/// Claim values keep their JSON type through decoding (booleans stay booleans, numbers numbers).
@Suite struct JSONValueTests {
    static let document = #"{"s":"true","n":7,"f":1.5,"b":true,"z":null,"a":["x",1,false],"o":{"k":"v"}}"#

    @Test func serverClaimValuesKeepTheirTypes() throws {
        let value = try JSONDecoder().decode([String: JSONValue].self, from: Data(Self.document.utf8))
        #expect(value["s"] == .string("true"))
        #expect(value["n"] == .number(7))
        #expect(value["f"] == .number(1.5))
        #expect(value["b"] == .bool(true))
        #expect(value["z"] == .null)
        #expect(value["a"] == .array([.string("x"), .number(1), .bool(false)]))
        #expect(value["o"] == .object(["k": .string("v")]))
    }

    @Test func resourceServerClaimValuesKeepTheirTypes() throws {
        let value = try JSONDecoder().decode([String: ClaimValue].self, from: Data(Self.document.utf8))
        #expect(value["s"] == .string("true"))
        #expect(value["n"] == .number(7))
        #expect(value["b"] == .bool(true))
        #expect(value["z"] == .null)
        #expect(value["a"] == .array([.string("x"), .number(1), .bool(false)]))
        #expect(value["o"] == .object(["k": .string("v")]))
    }
}
