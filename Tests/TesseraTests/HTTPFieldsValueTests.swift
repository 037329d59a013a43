import HTTPTypes
import Testing
@testable import TesseraHTTP

/// The field reader the routes use instead of HTTPTypes' joining subscript must answer exactly as it does.
@Suite struct HTTPFieldsValueTests {
    @Test func aFieldReadsAsHTTPTypesReadsItOnceRepeatedOrAbsent() throws {
        var fields: HTTPFields = [.authorization: "Basic YTpi", .contentType: "application/x-www-form-urlencoded"]
        #expect(fields.value(.authorization) == "Basic YTpi")
        #expect(fields.value(try #require(HTTPField.Name("AUTHORIZATION"))) == "Basic YTpi")
        #expect(fields.value(.accept) == nil)
        fields.append(HTTPField(name: .authorization, value: "Bearer abc"))
        #expect(fields.value(.authorization) == "Basic YTpi, Bearer abc")
        for name in [HTTPField.Name.authorization, .contentType, .accept, .userAgent] {
            #expect(fields.value(name) == fields[name], "\(name)")
        }
    }

    @Test func addingAFieldAppendsItOnceAndReplacesOneAlreadyThere() {
        var fields: HTTPFields = [.cacheControl: "no-store"]
        fields.add(.contentType, "application/json")
        #expect(fields[values: .contentType] == ["application/json"])
        fields.add(.contentType, "application/jwt")
        #expect(fields[values: .contentType] == ["application/jwt"])
        #expect(fields.count == 2)
    }
}
