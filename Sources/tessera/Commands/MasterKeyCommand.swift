import ArgumentParser
import Foundation
import TesseraCore
import TesseraStore

/// `tessera master-key`: prints a new master key for `TESSERA_MASTER_KEY` (every node of a PostgreSQL
/// deployment needs the same one); `tessera master-key rotate` reseals the database under a new one.
struct MasterKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "master-key", abstract: "Print a new master key, or rotate the database's master key.",
        subcommands: [Generate.self, Rotate.self], defaultSubcommand: Generate.self)

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a new random master key (base64url) for TESSERA_MASTER_KEY.")

        func run() async throws {
            print(MasterKey.generate().encoded)
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reseal every private signing key and client_secret_jwt secret under a new master key, in one transaction; the old key is refused afterwards.",
            discussion: """
                Stop every node first and start them with the new key afterwards. With master.key in the data directory the \
                file is replaced (a new key is made unless --new-key-file names one); with TESSERA_MASTER_KEY, give the new key \
                with --new-key-file (make one with `tessera master-key > new.key`) and set TESSERA_MASTER_KEY to it on every node.
                """)
        @Option(name: .customLong("new-key-file"), help: "A file holding the new master key (base64 of 32 bytes); default: a new random key.")
        var newKeyFile: String?
        @OptionGroup var data: DataOptions

        func run() async throws {
            let fromEnvironment = !(ProcessInfo.processInfo.environment["TESSERA_MASTER_KEY"] ?? "").isEmpty
            let newKey = try readNewKey(fromEnvironment: fromEnvironment)
            let opened = try await data.open()
            let keyFile = (data.resolvedDataDir as NSString).appendingPathComponent("master.key")
            // The new key is on disk before anything is sealed under it.
            let staged = keyFile + ".next"
            if !fromEnvironment {
                try? FileManager.default.removeItem(atPath: staged)
                guard FileManager.default.createFile(atPath: staged, contents: Data((newKey.encoded + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
                    throw CommandFailure(message: "cannot write the new master key to \(staged); nothing was changed")
                }
            }
            let count: ResealCountText
            do {
                count = ResealCountText(try await MasterKeyRotation.rotate(stores: opened.stores, from: opened.masterKey, to: newKey.key, at: Date()))
            } catch {
                if !fromEnvironment { try? FileManager.default.removeItem(atPath: staged) }
                throw CommandFailure(message: (error as? MasterKeyError)?.description ?? "\(error)")
            }
            if fromEnvironment {
                print("resealed \(count) under the new master key in \(newKeyFile ?? "--new-key-file"); set TESSERA_MASTER_KEY to it on every node and restart them — "
                      + "the old key is refused from now on")
                return
            }
            // rename(2) replaces the file in one step: master.key holds the old key or the new one, never neither.
            guard rename(staged, keyFile) == 0 else {
                throw CommandFailure(message: "resealed \(count), but could not replace \(keyFile) with \(staged): \(String(cString: strerror(errno))); "
                                     + "move \(staged) to \(keyFile) by hand (the old key is refused from now on)")
            }
            print("resealed \(count) under a new master key, written to \(keyFile); restart every node — the old key is refused from now on")
        }

        /// The key in `--new-key-file`, or a new random one when the current key is in a file.
        func readNewKey(fromEnvironment: Bool) throws -> (key: MasterKey, encoded: String) {
            guard let newKeyFile else {
                if fromEnvironment {
                    throw CommandFailure(message: "the current master key comes from TESSERA_MASTER_KEY: make a new one with `tessera master-key > new.key`, "
                                         + "give it with --new-key-file new.key, then set TESSERA_MASTER_KEY to it on every node", status: 2)
                }
                return MasterKey.generate()
            }
            guard let text = try? String(contentsOfFile: newKeyFile, encoding: .utf8) else {
                throw CommandFailure(message: "--new-key-file: cannot read \(newKeyFile)", status: 2)
            }
            do {
                let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
                return (try MasterKey(encoded: trimmed), trimmed)
            } catch {
                throw CommandFailure(message: "--new-key-file \(newKeyFile): \(error)", status: 2)
            }
        }
    }
}

/// "2 signing keys and 1 client secret".
struct ResealCountText: CustomStringConvertible {
    let count: ResealCount
    init(_ count: ResealCount) { self.count = count }

    var description: String {
        "\(count.signingKeys) signing key\(count.signingKeys == 1 ? "" : "s") and \(count.clientSecrets) client secret\(count.clientSecrets == 1 ? "" : "s")"
    }
}
