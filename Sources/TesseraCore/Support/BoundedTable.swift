/// A dictionary that never holds more than `capacity` entries, for state kept per address or per client
/// id and for the `Directory`'s caches: entries are written to a current generation; when it fills half the capacity it becomes the
/// previous one and the one before is dropped. An entry read from the previous generation moves to the
/// current one, so what is in use stays and what has not been seen for two generations goes (an
/// approximation of least-recently-used at the cost of one dictionary write). A capacity of 0 holds nothing.
struct BoundedTable<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private var current: [Key: Value] = [:]
    private var previous: [Key: Value] = [:]
    private let generationSize: Int
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(0, capacity)
        generationSize = max(1, capacity / 2)
    }

    /// The entry for `key`, if it is still held.
    mutating func value(for key: Key) -> Value? {
        if let value = current[key] { return value }
        guard let value = previous.removeValue(forKey: key) else { return nil }
        insert(value, for: key)
        return value
    }

    /// Holds `value` for `key`.
    mutating func set(_ value: Value, for key: Key) {
        guard capacity > 0 else { return }
        if current.updateValue(value, forKey: key) == nil { rotateIfFull() }
    }

    /// Forgets the entries whose value matches.
    mutating func removeAll(where matches: (Value) -> Bool) {
        current = current.filter { !matches($0.value) }
        previous = previous.filter { !matches($0.value) }
    }

    /// Forgets every entry.
    mutating func removeAll() {
        current = [:]
        previous = [:]
    }

    /// Forgets `key`.
    mutating func remove(_ key: Key) {
        current.removeValue(forKey: key)
        previous.removeValue(forKey: key)
    }

    /// Entries held now (at most the capacity).
    var count: Int { current.count + previous.count }

    private mutating func insert(_ value: Value, for key: Key) {
        current[key] = value
        rotateIfFull()
    }

    private mutating func rotateIfFull() {
        guard current.count >= generationSize else { return }
        previous = current
        current = Dictionary(minimumCapacity: generationSize)
    }
}
