/// The entry point of every fuzz target. SwiftPM's debug builds link an executable's own `main`
/// (renamed `<Module>_main`) as the program's `main`, which keeps libFuzzer's `main` out, so each
/// target's `@main` hands its callback to libFuzzer's driver, which then parses the fuzzer's usual
/// command line (`-max_total_time=…`, corpus directories) and runs.
public typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: FuzzCallback
) -> Int32

/// Runs libFuzzer with this process's arguments and `callback`, and exits with its status.
public func runFuzzer(_ callback: FuzzCallback) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    let status = LLVMFuzzerRunDriver(&argc, &argv, callback)
    exit(status)
}

@_silgen_name("exit")
private func exit(_ status: Int32) -> Never
