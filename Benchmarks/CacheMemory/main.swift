import Foundation
import TesseraCore
import TesseraStore
import TesseraStoreTesting

// Memory of the Directory's caches per entry: fills the client cache with N clients (each built afresh
// on every read, as a database row decodes into new strings) and the server caches with M servers (server,
// scope list of three, ES256 key ring), and reads the resident set size from /proc/self/statm between steps.
// Run: `TESSERA_BENCHMARKS=1 swift run -c release CacheMemory [CLIENTS] [SERVERS]` (docs/performance-scale.md).

/// A client store that decodes every read into new values, as the SQL backends do.
final class DecodingClients: ClientStore {
    func createClient(_ client: Client) async throws(StoreError) {}
    func updateClient(_ client: Client) async throws(StoreError) {}
    func deleteClient(id: String) async throws(StoreError) {}
    func listClients(server: String) async throws(StoreError) -> [Client] { [] }
    func recordSecretUse(clientID: String, secretID: String, at time: Date) async throws(StoreError) {}
    func secretUses(clientID: String) async throws(StoreError) -> [String: Date] { [:] }

    func client(id: String) async throws(StoreError) -> Client? {
        // A typical client_secret_basic or private_key_jwt registration: one secret, two scopes, one claim.
        Client(id: id, server: "orders", name: "service \(id.suffix(6))", authMethod: .clientSecretBasic,
               secrets: [ClientSecretEntry(id: "sec_" + String(id.suffix(12)), hash: Data((0..<32).map { UInt8(truncatingIfNeeded: $0 &+ id.count) }), createdAt: Date())],
               scopes: ["orders.read", "orders.write"], claims: ["tier": .string("gold")], createdAt: Date())
    }
}

func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
          let pages = text.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

let arguments = CommandLine.arguments.dropFirst().compactMap(Int.init)
let clientCount = arguments.first ?? 200_000
let serverCount = arguments.dropFirst().first ?? 5_000

let memory = MemoryStore()
let masterKey = MasterKey.generate().key
let admin = Administration(stores: Stores(memory), masterKey: masterKey)
for index in 0..<serverCount {
    try await admin.createServer(name: "server-\(index)")
    for scope in ["orders.read", "orders.write", "orders.admin"] { _ = try await admin.createScope(server: "server-\(index)", name: scope, description: nil) }
}
let stores = Stores(servers: memory, scopes: memory, clients: DecodingClients(), keys: memory, replays: memory, tokens: memory, events: memory,
                    changes: memory, leases: memory, sealed: memory, users: memory)
let directory = Directory(stores: stores, masterKey: masterKey, limits: CacheLimits(clients: clientCount * 2, servers: serverCount * 2))

let ids = (0..<clientCount).map { String(format: "0oa%021d", $0) }
let beforeClients = residentBytes()
for id in ids { _ = try await directory.client(id: id) }
let afterClients = residentBytes()
for index in 0..<serverCount {
    _ = try await directory.server(named: "server-\(index)")
    _ = try await directory.scopeNames(server: "server-\(index)")
    _ = try await directory.keyRing(server: "server-\(index)")
}
let afterServers = residentBytes()
print("clients cached: \(directory.statistics(.clients).entries), \((afterClients - beforeClients) / max(1, clientCount)) bytes each")
print("servers cached: \(directory.statistics(.servers).entries) with scope lists and ES256 key rings, \((afterServers - afterClients) / max(1, serverCount)) bytes each")
