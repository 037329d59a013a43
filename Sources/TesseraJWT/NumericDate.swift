/// The range of a JWT NumericDate (RFC 7519 §2) that Tessera accepts from untrusted JSON.
///
/// A claim such as `exp` is any JSON number, and a hostile one (`1e19`, `-1e300`) does not fit the
/// 64-bit integers that times are compared and printed as: converting it traps and takes the whole
/// process down. Every time claim read from a token or an assertion is therefore checked against
/// this range when it is read, so nothing downstream meets a number it cannot convert.
public enum NumericDate {
    /// 0001-01-01T00:00:00Z … 9999-12-31T23:59:59Z in seconds since 1970, the span of RFC 3339 dates.
    public static let range: ClosedRange<Double> = -62_135_596_800 ... 253_402_300_799

    /// Whether `value` is a NumericDate Tessera accepts (finite and within `range`).
    public static func isAcceptable(_ value: Double) -> Bool { range.contains(value) }
}

extension Int64 {
    /// `value` rounded toward zero and clamped to `Int64`'s range (NaN as 0): the conversion for any
    /// number that came from outside, which `Int64(_:)` would trap on.
    public init(saturating value: Double) {
        if value.isNaN {
            self = 0
        } else if value >= 9_223_372_036_854_775_807.0 {
            self = .max
        } else if value <= -9_223_372_036_854_775_808.0 {
            self = .min
        } else {
            self = Int64(value.rounded(.towardZero))
        }
    }
}
