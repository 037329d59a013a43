import ArgumentParser
import Dispatch
import Foundation
import NIOCore
import NIOPosix
import TesseraCore
import TesseraStore
import TesseraJSON

/// Entry point. Installs NIO's event loops as Swift concurrency's global executor before anything
/// async runs, so request handlers run on the event loop threads instead of hopping to a separate
/// thread pool: on a busy single core the hops (context switches) cost more than the work. The
/// loops are as many as the CPUs the process may use (`ProcessorAffinity`).
@main
enum TesseraMain {
    static func main() {
        ProcessorAffinity.sizeEventLoops()
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        let finished = DispatchSemaphore(value: 0)
        Task.detached {
            await Tessera.runCommand()
            finished.signal()
        }
        finished.wait()
    }
}

/// The `tessera` command: the server, the admin commands and the client-side helpers.
struct Tessera: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tessera",
        abstract: "Tessera, a self-hosted OAuth 2.0 authorization server for APIs.",
        subcommands: [Serve.self, Servers.self, Scopes.self, Clients.self, Keygen.self, AssertionCommand.self, TokenCommand.self, IntrospectCommand.self, RevokeCommand.self, Logs.self, Doctor.self, Keys.self, ReasonCodes.self, Migrate.self, MasterKeyCommand.self, Users.self, Groups.self, AdminCommand.self, Apply.self, Export.self]
    )

    /// Parses and runs; bad arguments print one line and exit 2, runtime failures exit 1.
    static func runCommand() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            await OpenStores.shared.closeAll()
        } catch let code as ExitCode {
            await OpenStores.shared.closeAll()
            Foundation.exit(code.rawValue)
        } catch let error as AdminError {
            await Console.fail("tessera: \(error.description)", status: 2)
        } catch let error as StoreError {
            if case .unavailable = error { await Console.fail("tessera: \(error)", status: 1) }
            await Console.fail("tessera: \(error)", status: 2)
        } catch let error as CommandFailure {
            await Console.fail("tessera: \(error.message)", status: error.status)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let message = fullMessage(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            let isUsage = code == .validationFailure || error is ValidationError
            await Console.fail(message.hasPrefix("Error: ") ? "tessera: " + message.dropFirst(7) : "tessera: \(message)", status: isUsage ? 2 : (code.rawValue == 0 ? 1 : code.rawValue))
        }
    }
}
