/// The entry point of every fuzz target. SwiftPM's debug builds link an executable's own `main`
/// (renamed `<Module>_main`) as the program's `main`, so each target's `@main` calls `runFuzzer` with
/// its check, and libFuzzer's driver parses the usual command line (`-max_total_time=…`, corpus
/// directories) and feeds the check one input at a time. A check reports a finding by trapping.
public typealias FuzzCheck = (UnsafeBufferPointer<UInt8>) -> Void

nonisolated(unsafe) private var check: FuzzCheck = { _ in }

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    check(UnsafeBufferPointer(start: data, count: data == nil ? 0 : size))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// Runs libFuzzer with this process's arguments on `target`, and exits with its status.
public func runFuzzer(_ target: @escaping FuzzCheck) -> Never {
    check = target
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
}

@_silgen_name("exit")
private func exit(_ status: Int32) -> Never
