import TesseraJSON

/// A claim's value in a verified token: string, number, bool, array, object or null. The library's
/// name for Tessera's one JSON value type (`TesseraJSON.JSONValue`), kept so code written against the
/// library keeps compiling; `string`, `number`, `bool` and `strings` read it.
public typealias ClaimValue = JSONValue
