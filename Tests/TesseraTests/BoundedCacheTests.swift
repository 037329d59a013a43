import Foundation
import Testing
import TesseraCore
import TesseraJSON
import TesseraStore

/// The directory's caches stay within their bounds (`CacheLimits`) and answer correctly at any bound,
/// 0 (caching off) included; their hits, misses and sizes are on `/metrics`.
@Suite struct BoundedCacheTests {
    @Test func evictionUnderASmallBoundStillAnswersCorrectly() async throws {
        try await TestDeployment.with(cacheLimits: CacheLimits(clients: 4, servers: 2)) { deployment async throws in
            var clients: [Client] = []
            for index in 0..<20 {
                clients.append(try await deployment.admin.createClient(server: "default", name: "svc \(index)", method: .clientSecretBasic).client)
            }
            let directory = deployment.runtime.directory
            for _ in 0..<3 {
                for client in clients {
                    #expect(try await directory.client(id: client.id)?.name == client.name)
                    #expect(directory.statistics(.clients).entries <= 4, "never more than the bound")
                }
            }
            // A small working set fits and is served from the cache.
            let before = directory.statistics(.clients)
            for _ in 0..<10 { _ = try await directory.client(id: clients[0].id) }
            #expect(directory.statistics(.clients).hits - before.hits >= 9, "a client in use stays cached")
            #expect(try await directory.client(id: "0oa-unknown") == nil)
        }
    }

    @Test func aCacheOfSizeZeroReadsTheStoreEveryTimeAndTokensStillWork() async throws {
        try await TestDeployment.with(cacheLimits: CacheLimits(clients: 0, servers: 0)) { deployment async throws in
            let client = try await deployment.register(.clientSecretBasic)
            try await deployment.http { http async throws in
                for _ in 0..<3 {
                    let answer = try await http.post(path(deployment.defaultURLs.tokenEndpoint), form: [("grant_type", "client_credentials")],
                                                     headers: HTTPDriver.basic(client.id, client.secret ?? ""))
                    #expect(answer.status == 200, "\(answer.text)")
                }
            }
            let statistics = deployment.runtime.directory.statistics(.clients)
            #expect(statistics.hits == 0 && statistics.misses >= 3 && statistics.entries == 0, "\(statistics)")
            #expect(deployment.runtime.directory.statistics(.keyRings).entries == 0)
        }
    }

    @Test func cacheHitsMissesAndEntriesAreOnMetrics() async throws {
        try await TestDeployment.with { deployment async throws in
            let client = try await deployment.register(.clientSecretBasic)
            let text = try await deployment.http { http async throws in
                for _ in 0..<2 {
                    _ = try await http.post(path(deployment.defaultURLs.tokenEndpoint), form: [("grant_type", "client_credentials")],
                                            headers: HTTPDriver.basic(client.id, client.secret ?? ""))
                }
                _ = try await http.get("/metrics")
                return try await http.get("/metrics").text
            }
            #expect(text.contains(#"tessera_cache_hits_total{cache="clients"} 1"#), "\(text)")
            #expect(text.contains(#"tessera_cache_misses_total{cache="clients"} 1"#))
            #expect(text.contains(#"tessera_cache_entries{cache="clients"} 1"#))
            #expect(text.contains(#"tessera_cache_entries{cache="key_rings"} 1"#))
        }
    }
}
