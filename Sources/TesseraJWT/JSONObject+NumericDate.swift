import TesseraJSON

extension JSONObject {
    /// The member `name` as a NumericDate (RFC 7519 §2: seconds since 1970); nil when absent; an error when
    /// it is not a number or lies outside `NumericDate.range` (a hostile `1e300` is refused here, once).
    public func numericDate(_ name: String) throws(JSONError) -> Double? {
        guard let number = try number(name) else { return nil }
        guard NumericDate.isAcceptable(number) else {
            throw JSONError("\(name) \(number) is not a date between the years 1 and 9999 in seconds since 1970")
        }
        return number
    }
}
