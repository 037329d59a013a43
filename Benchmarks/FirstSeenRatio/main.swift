import Crypto
import Foundation
import JWTKit
import TesseraJSON
import TesseraJWT
import TesseraResourceServer

// First-seen local validation against the bare signature check, measured in the same process in
// alternating blocks (a plain release-mode loop, as the resource-server issue allows): a shared machine
// drifts by tens of percent within a minute, so the two rates are compared round by round and the
// median ratio is reported.
//
// Run: TESSERA_BENCHMARKS=1 swift run -c release --scratch-path .build-bench FirstSeenRatio [rounds] [tokens]
// `FirstSeenRatio profile` only validates (100,000 fresh tokens, a fresh validator per 2,000), for
// `perf record -p` once it prints "tokens ready".

let rounds = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 15 : 15
let perRound = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 2000 : 2000
let issuer = "https://auth.example.com/oauth2/default"
let key = P256.Signing.PrivateKey()
let point = key.publicKey.x963Representation.dropFirst()
let jwks = #"{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","alg":"ES256","use":"sig","x":"\#(encode(point.prefix(32)))","y":"\#(encode(point.suffix(32)))"}]}"#
let now = Date()
let header = encode(Data(#"{"alg":"ES256","kid":"k1","typ":"at+jwt"}"#.utf8))

func encode(_ bytes: some DataProtocol) -> String {
    Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
}

/// A token shaped like Tessera's RFC 9068 access tokens, each with its own jti.
func token(_ index: Int) throws -> String {
    let iat = Int(now.timeIntervalSince1970)
    let claims = #"{"iss":"\#(issuer)","sub":"0oaclient0123456789abc","aud":"api://orders","client_id":"0oaclient0123456789abc","scope":"orders.read orders.write","iat":\#(iat),"nbf":\#(iat),"exp":\#(iat + 3600),"jti":"AT.\#(index)-\#(UUID().uuidString)"}"#
    let input = header + "." + encode(Data(claims.utf8))
    return input + "." + encode(try key.signature(for: Data(input.utf8)).rawRepresentation)
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

// `FirstSeenRatio profile` validates fresh tokens in a loop and nothing else, for `perf record`.
if CommandLine.arguments.dropFirst().first == "profile" {
    let tokens = try (0..<100_000).map { try token($0) }
    FileHandle.standardOutput.write(Data("tokens ready\n".utf8)); try await Task.sleep(for: .seconds(1))
    // A fresh validator per 2,000 tokens, as in the measured rounds.
    let elapsed = try await Task.detached {
        let start = ContinuousClock.now
        for round in 0..<50 {
            let validator = try await TokenValidator(ResourceServerConfiguration(issuer: issuer, audience: "api://orders"), pinnedJWKS: jwks)
            for token in tokens[(round * 2000)..<((round + 1) * 2000)] { _ = try await validator.validate(token, requiredScopes: ["orders.read"]) }
        }
        return ContinuousClock.now - start
    }.value
    print(String(format: "%.1f µs per first-seen validation", seconds(elapsed) / 100_000 * 1e6))
    exit(0)
}

var ratios: [Double] = []
var validateRates: [Double] = []
var bareRates: [Double] = []
var parseTimes: [Double] = []
var extra: [(Double, Double)] = []
let clock = ContinuousClock()
for round in 0...rounds {
    let tokens = try (0..<perRound).map { try token(round * perRound + $0) }
    // The bare floor: swift-crypto's verify of each token's signature over its signing input, key and
    // signature objects made beforehand.
    let publicKey = key.publicKey
    let inputs = try tokens.map { token -> (Data, P256.Signing.ECDSASignature) in
        let parts = token.split(separator: ".")
        let signature = try P256.Signing.ECDSASignature(rawRepresentation: Data(base64Encoded: String(parts[2]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/") + "==") ?? Data())
        return (Data("\(parts[0]).\(parts[1])".utf8), signature)
    }
    let validator = try await TokenValidator(ResourceServerConfiguration(issuer: issuer, audience: "api://orders"), pinnedJWKS: jwks)
    // Both loops take turns in blocks of 100 tokens (in alternating order), so that both sample the
    // same moments of a drifting machine. Off the main actor, as a server's request handlers run: a
    // call from the main actor would hop threads twice per validation.
    let required = ["orders.read"]
    let (bare, validate) = try await Task.detached {
        var bare = Duration.zero
        var validate = Duration.zero
        for (block, start) in stride(from: 0, to: perRound, by: 100).enumerated() {
            let range = start..<min(start + 100, perRound)
            for turn in (block % 2 == 0 ? [0, 1] : [1, 0]) {
                let began = ContinuousClock.now
                if turn == 0 {
                    for (message, signature) in inputs[range] where !publicKey.isValidSignature(signature, for: message) {
                        throw JWTError.signatureVerificationFailed
                    }
                    bare += ContinuousClock.now - began
                } else {
                    for token in tokens[range] { _ = try await validator.validate(token, requiredScopes: required) }
                    validate += ContinuousClock.now - began
                }
            }
        }
        return (bare, validate)
    }.value
    let parse = try clock.measure { for token in tokens { _ = try ParsedJWT<JSONObjectClaims>(parsing: token) } }
    let parseConvert = try clock.measure { for token in tokens { _ = try ParsedJWT<ClaimsDictionary>(parsing: token) } }
    // The ES256 check as the validator makes it: swift-crypto with the key from the JWK.
    let resolved = try await SignatureVerifier.load(jwk: JSONDecoder().decode(JWKS.self, from: Data(jwks.utf8)).keys[0], alg: "ES256")
    let parsedAll = try tokens.map { try ParsedJWT<ClaimsDictionary>(parsing: $0) }
    let signed = clock.measure { for parsed in parsedAll { _ = parsed.isSigned(by: resolved) } }
    if round > 0 { extra.append((seconds(parseConvert) / Double(perRound) * 1e6, seconds(signed) / Double(perRound) * 1e6)) }
    guard round > 0 else { continue } // the first round warms up
    bareRates.append(Double(perRound) / seconds(bare))
    validateRates.append(Double(perRound) / seconds(validate))
    parseTimes.append(seconds(parse) / Double(perRound) * 1e6)
    ratios.append(seconds(bare) / seconds(validate))
}

/// Claims converted to the library's claim values, as the validator does.
struct ClaimsDictionary: JWTPayload, JSONObjectDecodable {
    var claims: [String: ClaimValue] = [:]
    init(members: [String: ClaimValue]) { claims = members }
    init(from decoder: any Decoder) throws {}
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Claims read and dropped (the parse alone).
struct JSONObjectClaims: JWTPayload, JSONObjectDecodable {
    init(members: [String: JSONValue]) {}
    init(from decoder: any Decoder) throws {}
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
print("rounds: \(rounds) × \(perRound) fresh tokens")
print(String(format: "bare ES256 verify:            %8.0f /s (%.1f µs)", median(bareRates), 1e6 / median(bareRates)))
print(String(format: "first-seen local validation:  %8.0f /s (%.1f µs)", median(validateRates), 1e6 / median(validateRates)))
print(String(format: "ParsedJWT parse alone: %.1f µs", median(parseTimes)))
print(String(format: "parse with claim values: %.1f µs; ES256 check from the token's bytes (as the validator does it): %.1f µs", median(extra.map(\.0)), median(extra.map(\.1))))
print(String(format: "ratio (median of rounds): %.0f %% (lowest %.0f %%, highest %.0f %%)", 100 * median(ratios), 100 * ratios.min()!, 100 * ratios.max()!))
