import Foundation
import HTTPTypes
import Logging
import Testing
@testable import TesseraHTTP
import TesseraStore

/// Every request to an OAuth endpoint leaves exactly one event, whatever its method and outcome,
/// because of how the endpoints are registered (`OAuthEndpointRoute`), not because a route remembers.
@Suite struct EventByConstructionTests {
    @Test func everyRegisteredRouteOfAnOAuthEndpointWritesOneEvent() async throws {
        try await TestDeployment.with { deployment in
            let router = TesseraApplication.router(runtime: deployment.runtime, logger: Logger(label: "test"))
            let oauthPaths = Set(OAuthEndpointRoute.endpoints.map { $0.path.description })
            let routes = router.routes.filter { oauthPaths.contains($0.path.description) }
            #expect(Set(routes.map { $0.path.description }) == oauthPaths, "every OAuth endpoint is registered")
            #expect(routes.count >= oauthPaths.count * 7, "POST, the wrong methods and OPTIONS on each: \(routes)")
            for route in routes {
                let uri = route.path.description.replacingOccurrences(of: ":server", with: "default")
                let method = route.method
                let answer = try await deployment.http { http in
                    try await http.send(uri, method: method, headers: [.contentType: "application/x-www-form-urlencoded"], body: "")
                }
                let requestID = try #require(answer.header("X-Request-Id"), "\(route)")
                let events = try await deployment.events(EventQuery(requestID: requestID))
                #expect(events.count == 1, "\(route) answered \(answer.status) and left \(events.count) events")
                #expect(answer.status < 500, "\(route): \(answer.text)")
            }
        }
    }
}
