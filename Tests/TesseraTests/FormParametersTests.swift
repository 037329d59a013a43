import Testing
import TesseraCore
@testable import TesseraHTTP

/// The form reader keeps parameters as a list: these pin down what the list must still do like a dictionary.
@Suite struct FormParametersTests {
    static func parse(_ body: String) throws(OAuthError) -> FormParameters {
        try FormParameters(parsing: Array(body.utf8), origin: "request body")
    }

    @Test func parametersReadByNameDecodedAndEmptyValuesAbsent() throws {
        let form = try Self.parse("grant_type=client_credentials&scope=orders.read+orders.write&client_id=a%2Fb&empty=&&lone&padded=ab==&=nameless")
        #expect(form["grant_type"] == "client_credentials")
        #expect(form["scope"] == "orders.read orders.write")
        #expect(form["client_id"] == "a/b")
        #expect(form["empty"] == nil, "an empty value counts as absent")
        #expect(form["lone"] == nil, "a name without a value counts as absent")
        #expect(form["missing"] == nil)
        #expect(form["padded"] == "ab==", "only the first '=' separates name and value")
        #expect(form[""] == "nameless")
    }

    @Test func resourceMayRepeatInOrderAndNothingElseMay() throws {
        let form = try Self.parse("resource=https%3A%2F%2Fa&grant_type=client_credentials&resource=https%3A%2F%2Fb")
        #expect(form.all("resource") == ["https://a", "https://b"])
        #expect(form["resource"] == "https://a")
        #expect(throws: OAuthError.self) { try Self.parse("scope=a&grant_type=client_credentials&scope=b") }
    }

    @Test func aDuplicateIsFoundFarBeyondTheListedNamesAndAnEmptyRepeatIsNoDuplicate() throws {
        let many = (0..<40).map { "p\($0)=v" }.joined(separator: "&")
        let form = try Self.parse(many + "&p3=&resource=x&resource=y")
        #expect(form["p39"] == "v")
        #expect(form.all("resource") == ["x", "y"])
        for early in [0, 15, 16, 39] {
            do {
                _ = try Self.parse(many + "&p\(early)=again")
                Issue.record("p\(early) sent twice was accepted")
            } catch {
                #expect(error.reason == .requestDuplicateParameter)
                #expect(error.description.contains("\"p\(early)\" appears more than once"))
            }
        }
    }
}
