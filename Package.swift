// swift-tools-version:6.1
import class Foundation.ProcessInfo
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Tessera",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tessera", targets: ["tessera"]),
        .library(name: "TesseraCore", targets: ["TesseraCore"]),
        .library(name: "TesseraHTTP", targets: ["TesseraHTTP"]),
        .library(name: "TesseraResourceServer", targets: ["TesseraResourceServer"]),
        .library(name: "TesseraJSON", targets: ["TesseraJSON"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.1.0"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-extras/swift-extras-base64.git", from: "1.2.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        .target(
            name: "TesseraCore",
            dependencies: [
                "TesseraStore", "TesseraJWT", "TesseraJSON", "TesseraWire",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "ExtrasBase64", package: "swift-extras-base64"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TesseraJSON",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TesseraWire",
            dependencies: [.product(name: "ExtrasBase64", package: "swift-extras-base64")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TesseraStore",
            dependencies: ["TesseraJSON"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TesseraJWT",
            dependencies: [
                "TesseraJSON",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ExtrasBase64", package: "swift-extras-base64"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TesseraStoreTesting",
            dependencies: ["TesseraStore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TesseraSQLite",
            dependencies: [
                "TesseraStore",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TesseraPostgres",
            dependencies: [
                "TesseraStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TesseraHTTP",
            dependencies: [
                "TesseraCore", "TesseraStore", "TesseraJSON", "TesseraWire",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ExtrasBase64", package: "swift-extras-base64"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TesseraResourceServer",
            dependencies: [
                "TesseraJWT", "TesseraJSON", "TesseraWire",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "OrdersAPI",
            dependencies: [
                "TesseraResourceServer", "TesseraJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/OrdersAPI/Sources",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "tessera",
            dependencies: [
                "TesseraCore", "TesseraStore", "TesseraSQLite", "TesseraPostgres", "TesseraHTTP", "TesseraJSON", "TesseraWire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TesseraTests",
            dependencies: [
                "TesseraCore", "TesseraStore", "TesseraStoreTesting", "TesseraSQLite", "TesseraPostgres", "TesseraHTTP", "TesseraResourceServer", "TesseraJWT", "TesseraJSON", "TesseraWire", "tessera",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)

// Benchmarks (ordo-one/package-benchmark) are kept out of the default build and test run:
// `TESSERA_BENCHMARKS=1 swift package benchmark` (see docs/performance.md).
if ProcessInfo.processInfo.environment["TESSERA_BENCHMARKS"] != nil {
    package.dependencies.append(.package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]))
    package.targets.append(
        .executableTarget(
            name: "CoreBenchmarks",
            dependencies: [
                "TesseraCore", "TesseraStore", "TesseraSQLite", "TesseraHTTP", "TesseraResourceServer", "TesseraJWT", "TesseraJSON",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/CoreBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    )
    package.targets.append(
        .executableTarget(
            name: "FirstSeenRatio",
            dependencies: [
                "TesseraResourceServer", "TesseraJWT", "TesseraJSON",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            path: "Benchmarks/FirstSeenRatio"
        )
    )
    package.targets.append(
        .executableTarget(name: "CacheMemory", dependencies: ["TesseraCore", "TesseraStore", "TesseraStoreTesting"], path: "Benchmarks/CacheMemory")
    )
}

// libFuzzer targets (Fuzz/), kept out of the default build and test run: `scripts/fuzz [TARGET] [SECONDS]`
// builds them with `-sanitize=fuzzer,address` in .build-fuzz and runs each on its seed corpus (docs/security.md).
if ProcessInfo.processInfo.environment["TESSERA_FUZZ"] != nil {
    let fuzzTargets: [(String, [Target.Dependency])] = [
        ("FuzzJSONReader", ["TesseraJSON"]),
        ("FuzzParsedJWT", ["TesseraJWT", "TesseraCore", "TesseraJSON", .product(name: "JWTKit", package: "jwt-kit")]),
        ("FuzzFormParameters", ["TesseraHTTP", "TesseraCore", "TesseraWire"]),
        ("FuzzBasicHeader", ["TesseraHTTP", "TesseraCore", "TesseraWire"]),
        ("FuzzAssertionVerifier", [
            "TesseraCore", "TesseraStore", "TesseraJWT", "TesseraJSON",
            .product(name: "JWTKit", package: "jwt-kit"), .product(name: "Crypto", package: "swift-crypto"),
        ]),
    ]
    package.targets.append(.target(name: "FuzzSupport", dependencies: ["TesseraJSON"], path: "Fuzz/FuzzSupport"))
    for (name, dependencies) in fuzzTargets {
        package.targets.append(.executableTarget(name: name, dependencies: dependencies + ["FuzzSupport"], path: "Fuzz/\(name)",
                                                 swiftSettings: swiftSettings))
    }
}
