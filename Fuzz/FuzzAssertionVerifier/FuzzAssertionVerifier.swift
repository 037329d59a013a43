import Crypto
import Foundation
import FuzzSupport
import JWTKit
import Synchronization
import TesseraCore
import TesseraStore

/// The client-assertion verifier end to end with a real ES256 key. The input is a header and a claim
/// set as JSON text, separated by a newline; the harness signs them with the client's key, so the
/// fuzzer explores everything past the signature (times, audiences, identities, types, odd JSON).
/// Whatever the verifier accepts, jwt-kit must verify and parse as well, and nothing may trap.
let key = P256.Signing.PrivateKey()
let clientID = "0oafuzz"
let audience = "https://auth.example.com/oauth2/default/v1/token"
let clock = ManualWallClock(Date(timeIntervalSince1970: 1_800_000_000))
let client = Client(id: clientID, server: "default", name: "fuzz", authMethod: .privateKeyJWT,
                    jwks: (try? ClientKeyPair(pem: key.pemRepresentation))?.jwksDocument(kid: "k1"), createdAt: clock.now)
let verifier = ClientAssertionVerifier(keySource: ClientKeySource(fetcher: nil, clock: clock), replays: MemoryReplays(),
                                       masterKey: MasterKey.generate().key, clock: clock)

@main enum Fuzzer {
    static func main() { runFuzzer(check) }
}

func check(_ input: UnsafeBufferPointer<UInt8>) {
    let input = Array(input)
    guard let newline = input.firstIndex(of: UInt8(ascii: "\n")) else { return }
    let signingInput = Base64URL.encode(Array(input[..<newline])) + "." + Base64URL.encode(Array(input[(newline + 1)...]))
    guard let signature = try? key.signature(for: Data(signingInput.utf8)).rawRepresentation else { return }
    let assertion = signingInput + "." + Base64URL.encode(signature)
    guard verify(assertion) else { return }
    let keys = JWTKeyCollection()
    let confirmed = blocking {
        guard let publicKey = try? ES256PublicKey(backing: key.publicKey) else { return false }
        await keys.add(ecdsa: publicKey, kid: "k1")
        return (try? await keys.verify(assertion, as: AssertionClaims.self)) != nil
    }
    guard confirmed else { fatalError("the verifier accepted an assertion jwt-kit refuses: \(assertion)") }
}

func verify(_ assertion: String) -> Bool {
    blocking {
        do {
            try await verifier.verify(assertion, client: client, clientIDParameter: nil, acceptedAudiences: [audience])
            return true
        } catch {
            return false
        }
    }
}

/// Runs `work` to its end from the fuzzer's synchronous callback.
func blocking(_ work: @escaping @Sendable () async -> Bool) -> Bool {
    let result = Mutex<Bool?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let value = await work()
        result.withLock { $0 = value }
        done.signal()
    }
    done.wait()
    return result.withLock { $0 } ?? false
}

/// Single use of `jti`s, in memory: the fuzzer's replay store.
final class MemoryReplays: ReplayStore {
    private let seen = Mutex<Set<String>>([])

    func claim(clientID: String, jti: String, expiresAt: Date, now: Date) async throws(StoreError) -> Bool {
        seen.withLock { $0.insert(clientID + "\u{0}" + jti).inserted }
    }

    func purgeExpired(now: Date) async throws(StoreError) -> Int { 0 }
}
