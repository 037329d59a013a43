import Foundation
import TesseraCore
import TesseraJSON

/// Where `tessera apply` and `tessera export` read and change a deployment: the database (as the other
/// admin commands) or a running server's management API (`--server-url`). Both take the API's bodies,
/// so one plan works against either, with the same rules and sentences.
protocol DeploymentAccess: Sendable {
    /// For the plan's heading: `the database ./tessera-data` or `https://id.example.com`.
    var target: String { get }
    /// Clients `--prune` must not delete: the admin client making the calls.
    var protectedClients: Set<String> { get }
    /// The deployment now; `users` also reads users and groups.
    func state(users: Bool) async throws -> DeploymentState
    /// Carries out one step; returns what it did.
    func perform(_ step: DeploymentPlan.Step) async throws -> StepOutcome
}

/// What one step of `tessera apply` did: the sentence, and for a created client its id and secret.
struct StepOutcome {
    var done: String
    var clientID: String?
    var secret: String?
}

extension DeploymentPlan.Step {
    /// The past-tense line printed once the step is done.
    var done: String {
        switch symbol {
        case "+": "created \(summary)"
        case "-": "deleted \(summary)"
        default: "changed \(summary)"
        }
    }
}
