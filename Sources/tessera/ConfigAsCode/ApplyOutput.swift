import TesseraCore
import TesseraJSON

/// What `tessera apply` prints: for people, the plan and then a line per step as it is done (a secret
/// without a `secret_file` once, on its own line); with `--json`, one object at the end.
struct ApplyOutput {
    let json: Bool
    let target: String
    let file: String
    private var changes: [JSONValue] = []
    private var kept: [String] = []
    private var done: [JSONValue] = []

    init(json: Bool, target: String, file: String) {
        self.json = json
        self.target = target
        self.file = file
    }

    mutating func planned(_ plan: DeploymentPlan) {
        kept = plan.kept
        changes = plan.steps.map { .object(["action": .string(Self.action($0.symbol)), "summary": .string($0.summary)]) }
        guard !json else { return }
        for line in plan.kept { print("kept: \(line)") }
        guard !plan.steps.isEmpty else {
            print("no changes: \(target) already matches \(file)")
            return
        }
        print("plan for \(target) from \(file):")
        for step in plan.steps { print("  \(step.symbol) \(step.summary)") }
        let counts = Dictionary(grouping: plan.steps, by: \.symbol).mapValues(\.count)
        print("\(counts["+"] ?? 0) to create, \(counts["~"] ?? 0) to change, \(counts["-"] ?? 0) to delete")
    }

    mutating func done(_ outcome: StepOutcome, secretFile: String?) {
        var entry: [String: JSONValue] = ["done": .string(outcome.done)]
        if let id = outcome.clientID { entry["client_id"] = .string(id) }
        if let secretFile { entry["secret_file"] = .string(secretFile) } else if let secret = outcome.secret { entry["client_secret"] = .string(secret) }
        done.append(.object(entry))
        guard !json else { return }
        print(outcome.done)
        if let secretFile {
            print("  client_secret written to \(secretFile) (mode 0600)")
        } else if let secret = outcome.secret {
            print("  client_secret: \(secret)   (shown only now)")
        }
    }

    func finish(applied: Bool) {
        guard json else {
            if applied { print("applied \(done.count) change\(done.count == 1 ? "" : "s")") }
            return
        }
        Console.json([("target", .string(target)), ("file", .string(file)), ("changes", .array(changes)),
                      ("kept", .array(kept.map(JSONValue.string))), ("applied", .bool(applied && !changes.isEmpty)), ("done", .array(done))])
    }

    static func action(_ symbol: Character) -> String {
        switch symbol {
        case "+": "create"
        case "-": "delete"
        default: "change"
        }
    }
}
