import NIOCore
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

/// The caller's address as the event log writes it: dotted IPv4 exactly as `inet_ntop` writes it, IPv6 in NIO's form.
@Suite struct AddressTextTests {
    @Test func ipv4IsWrittenAsInetNtopWritesItAndIPv6AsNIODoes() throws {
        for text in ["0.0.0.0", "255.255.255.255", "127.0.0.1", "10.0.12.7", "192.168.100.9", "1.20.199.250", "100.99.10.9"] {
            let address = try SocketAddress(ipAddress: text, port: 443)
            #expect(address.addressText == text)
            #expect(address.addressText == address.ipAddress)
        }
        let v6 = try SocketAddress(ipAddress: "2001:db8::1", port: 443)
        #expect(v6.addressText == v6.ipAddress)
    }
}
