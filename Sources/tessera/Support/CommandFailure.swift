/// A failure with the exit status it should produce (1 for runtime failures, 2 for bad input).
struct CommandFailure: Error {
    let message: String
    var status: Int32 = 1
}
