import ArgumentParser
import Foundation
import TesseraCore
import TesseraJSON

/// `tessera apply -f tessera.yaml`: makes the deployment match a file — creates and changes servers,
/// scopes and clients, and with `--prune` deletes what the file does not name. Prints the plan first;
/// a second apply of the same file finds nothing to do and says so.
struct Apply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make the deployment match a YAML file of servers, scopes and clients (config as code).",
        discussion: "Fields a file leaves out are not managed by it. Secrets are never in the file: a created client's secret is printed once, "
            + "or written to the client's secret_file (mode 0600). ${env:NAME} in a text is the environment variable NAME.")
    @Option(name: .customShort("f"), help: "The file, e.g. tessera.yaml (written by `tessera export`).") var file: String
    @Flag(help: "Also delete the servers, scopes and clients the file does not name (never the built-in server system or the calling admin client).")
    var prune = false
    @Flag(name: .customLong("dry-run"), help: "Print the plan and change nothing.") var dryRun = false
    @Flag(help: "Print one JSON object: the plan, what was done, created clients' ids and secrets (those without a secret_file).") var json = false
    @Option(name: .customLong("password-cost"), help: "scrypt cost of the passwords of users the file creates, on the database (as `users create`).")
    var passwordCost: Int?
    @OptionGroup var data: DataOptions
    @OptionGroup var remote: RemoteOptions

    func run() async throws {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw CommandFailure(message: "cannot read \(file)", status: 2)
        }
        let document = try DeploymentYAML.read(text, directory: (file as NSString).deletingLastPathComponent,
                                               environment: ProcessInfo.processInfo.environment)
        let declaration: DeploymentDeclaration
        do {
            declaration = try DeploymentDeclaration(document: document)
        } catch {
            throw CommandFailure(message: "\(file): \(error.description)", status: 2)
        }
        let users = declaration.users != nil || declaration.groups != nil
        let access = try await Self.access(data: data, remote: remote, scopes: [.serversManage, .clientsManage] + (users ? [.usersManage] : []), passwordCost: passwordCost)
        let plan: DeploymentPlan
        do {
            plan = try DeploymentPlan(declared: declaration, current: try await access.state(users: users), prune: prune, protectedClients: access.protectedClients)
        } catch let error as DeploymentFileError {
            throw CommandFailure(message: "\(file): \(error.description)", status: 2)
        }
        var output = ApplyOutput(json: json, target: access.target, file: file)
        output.planned(plan)
        guard !plan.steps.isEmpty, !dryRun else {
            output.finish(applied: false)
            return
        }
        for (index, step) in plan.steps.enumerated() {
            let outcome: StepOutcome
            do {
                outcome = try await access.perform(step)
            } catch {
                let reason = (error as? AdminError)?.description ?? (error as? CommandFailure)?.message ?? "\(error)"
                throw CommandFailure(message: "step \(index + 1) of \(plan.steps.count) (\(step.symbol) \(step.summary)) was refused: \(reason); "
                                     + "the \(index) steps before it were applied; fix the file and apply again", status: 2)
            }
            var written: String?
            if let secret = outcome.secret, case .createClient(_, _, _, _, let secretFile?) = step {
                written = try writeSecret(secret, to: secretFile, client: outcome.clientID ?? "")
            }
            output.done(outcome, secretFile: written)
        }
        output.finish(applied: true)
    }

    /// Writes a created client's secret to the file the YAML named (0600), relative to the YAML file.
    private func writeSecret(_ secret: String, to secretFile: String, client: String) throws -> String {
        let path = secretFile.hasPrefix("/") ? secretFile : ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(secretFile)
        let files = FileManager.default
        try? files.removeItem(atPath: path)
        guard files.createFile(atPath: path, contents: Data((secret + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CommandFailure(message: "client \(client) was created but its secret cannot be written to \(path); rotate it with `tessera clients rotate-secret`")
        }
        return path
    }

    /// The database, or the API when `--server-url` is given (with one token for the scopes the command needs).
    static func access(data: DataOptions, remote: RemoteOptions, scopes: [SystemServer.Scope], passwordCost: Int? = nil) async throws -> any DeploymentAccess {
        var signIn = SignInOptions()
        signIn.passwordCost = passwordCost
        let passwords = try signIn.hasher()
        switch try await AdminSource.open(data: data, remote: remote) {
        case .api(let api):
            try await api.authorize(scopes)
            return RemoteDeployment(api: api)
        case .database(let opened):
            return DatabaseDeployment(administration: opened.administration, passwords: passwords, target: "the database \(opened.location)")
        }
    }
}

/// `tessera export`: the deployment's servers, scopes and clients as a file for `tessera apply` (no
/// secrets, no signing keys), to move a deployment or keep it under version control.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write the deployment's servers, scopes and clients as a file for `tessera apply`.")
    @Option(name: .customShort("o"), help: "Write to this file instead of standard output.") var output: String?
    @Flag(name: .customLong("without-users"), help: "Leave users and groups out (an admin client without tessera.users.read).") var withoutUsers = false
    @OptionGroup var data: DataOptions
    @OptionGroup var remote: RemoteOptions

    func run() async throws {
        let access = try await Apply.access(data: data, remote: remote, scopes: [.serversRead, .clientsRead] + (withoutUsers ? [] : [.usersRead]))
        let yaml = try DeploymentYAML.write(try await access.state(users: !withoutUsers))
        guard let output else {
            print(yaml, terminator: "")
            return
        }
        guard FileManager.default.createFile(atPath: output, contents: Data(yaml.utf8)) else {
            throw CommandFailure(message: "cannot write \(output)")
        }
        print("wrote \(output)")
    }
}
