// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "edgecat",
  platforms: [.macOS(.v14)],
  products: [
    .library(name: "EdgecatRPC", targets: ["EdgecatRPC"]),
    .library(name: "EdgecatStore", targets: ["EdgecatStore"]),
    .executable(name: "edgecat-policy", targets: ["edgecat-policy"]),
    .executable(name: "edgecat-catalog", targets: ["edgecat-catalog"]),
    .executable(name: "edgecat", targets: ["edgecat"]),
    .executable(name: "edgecat-registry", targets: ["edgecat-registry"]),
    .executable(name: "edgecat-telemetry", targets: ["edgecat-telemetry"]),
    .executable(name: "edgecat-agent", targets: ["edgecat-agent"]),
    .executable(name: "edgecat-echo-server", targets: ["edgecat-echo-server"]),
    .executable(name: "edgecat-bench", targets: ["edgecat-bench"]),
    .executable(name: "edgecat-bench-ingest", targets: ["edgecat-bench-ingest"]),
  ],
  targets: [
    // C libraries from Debian, one module each.
    .systemLibrary(
      name: "CNGHTTP2", path: "Sources/CNGHTTP2", pkgConfig: "libnghttp2",
      providers: [.apt(["libnghttp2-dev"])]),
    .systemLibrary(
      name: "CProtobufC", path: "Sources/CProtobufC", pkgConfig: "libprotobuf-c",
      providers: [.apt(["libprotobuf-c-dev"])]),
    .systemLibrary(
      name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
      providers: [.apt(["libsqlite3-dev"])]),
    .systemLibrary(
      name: "CCrypto", path: "Sources/CCrypto", pkgConfig: "libcrypto",
      providers: [.apt(["libssl-dev"])]),
    .systemLibrary(name: "CLinux", path: "Sources/CLinux"),
    .systemLibrary(name: "CBenchLinux", path: "Benchmarks/CBenchLinux"),

    // Code that protoc-c generates from proto/, and the descriptor set of proto/.
    .target(name: "CEdgecatProto", dependencies: ["CProtobufC"], path: "Sources/CEdgecatProto"),

    // Swift libraries.
    .target(name: "EdgecatLog", path: "Sources/EdgecatLog"),
    .target(name: "EdgecatCrypto", dependencies: ["CCrypto"], path: "Sources/EdgecatCrypto"),
    .target(
      name: "EdgecatProto", dependencies: ["CProtobufC", "CEdgecatProto"],
      path: "Sources/EdgecatProto"),
    .target(
      name: "EdgecatStore", dependencies: ["CSQLite", "EdgecatLog"], path: "Sources/EdgecatStore"),
    .target(
      name: "EdgecatRPC", dependencies: ["CNGHTTP2", "CLinux", "EdgecatLog", "EdgecatProto"],
      path: "Sources/EdgecatRPC",
      // Loop-confined objects cross into closures that run on their own loop thread; Swift 6's
      // region checks cannot see that confinement, so this target uses the Swift 5 mode.
      swiftSettings: [.swiftLanguageMode(.v5)]),

    // Names, errors, paging, time text and SQL expression handling that every service's
    // logic shares.
    .target(
      name: "EdgecatCore", dependencies: ["EdgecatStore", "EdgecatLog"], path: "Sources/EdgecatCore"
    ),

    // The policy service's logic: principals, tokens, securables, grants and decisions.
    .target(
      name: "EdgecatPolicy",
      dependencies: ["EdgecatCore", "EdgecatStore", "EdgecatCrypto", "EdgecatLog"],
      path: "Sources/EdgecatPolicy"),

    // The catalog service's storage: the namespace, tags, lineage and audit events.
    .target(
      name: "EdgecatCatalog",
      dependencies: ["EdgecatCore", "EdgecatStore", "EdgecatProto", "EdgecatCrypto", "EdgecatLog"],
      path: "Sources/EdgecatCatalog"),

    // The registry service's storage: model versions, aliases, artifacts and audit events.
    .target(
      name: "EdgecatRegistry",
      dependencies: ["EdgecatCore", "EdgecatStore", "EdgecatProto", "EdgecatCrypto", "EdgecatLog"],
      path: "Sources/EdgecatRegistry"),

    // The telemetry service's storage and engines: the inference log, rollups, governed
    // queries, metrics and alerts.
    .target(
      name: "EdgecatTelemetry",
      dependencies: [
        "CSQLite", "EdgecatCore", "EdgecatStore", "EdgecatProto", "EdgecatCrypto", "EdgecatLog",
      ],
      path: "Sources/EdgecatTelemetry"),

    // Command-line flags and token files, for the services and the edge agent.
    .target(name: "EdgecatFlags", path: "Sources/EdgecatFlags"),

    // Plumbing every service shares: flags, authentication, the policy client.
    .target(
      name: "EdgecatServiceKit",
      dependencies: [
        "EdgecatFlags", "EdgecatCore", "EdgecatRPC", "EdgecatProto", "EdgecatLog",
        "EdgecatCrypto",
      ],
      path: "Sources/EdgecatServiceKit"),

    // edgecat.policy.v1.PolicyService over the policy engine.
    .target(
      name: "EdgecatPolicyServer",
      dependencies: [
        "EdgecatCore", "EdgecatPolicy", "EdgecatRPC", "EdgecatProto", "EdgecatServiceKit",
        "EdgecatLog",
      ],
      path: "Sources/EdgecatPolicyServer"),

    // edgecat.catalog.v1.CatalogService over the catalog engine and the policy client.
    .target(
      name: "EdgecatCatalogServer",
      dependencies: [
        "EdgecatCatalog", "EdgecatCore", "EdgecatRPC", "EdgecatProto", "EdgecatServiceKit",
        "EdgecatLog", "EdgecatCrypto", "EdgecatStore",
      ],
      path: "Sources/EdgecatCatalogServer"),

    // The admin CLI's commands, settings, output formats and SQL statements.
    .target(
      name: "EdgecatCLI", dependencies: ["EdgecatRPC", "EdgecatProto", "EdgecatCrypto"],
      path: "Sources/EdgecatCLI"),
    // edgecat.registry.v1.ModelRegistryService over the registry engine, the catalog and the
    // policy client.
    .target(
      name: "EdgecatRegistryServer",
      dependencies: [
        "EdgecatRegistry", "EdgecatCore", "EdgecatRPC", "EdgecatProto", "EdgecatServiceKit",
        "EdgecatLog", "EdgecatCrypto",
      ],
      path: "Sources/EdgecatRegistryServer"),

    // edgecat.telemetry.v1.TelemetryService over the telemetry engines, the catalog, the
    // registry and the policy client.
    .target(
      name: "EdgecatTelemetryServer",
      dependencies: [
        "EdgecatTelemetry", "EdgecatCore", "EdgecatRPC", "EdgecatProto", "EdgecatServiceKit",
        "EdgecatLog", "EdgecatCrypto", "EdgecatStore",
      ],
      path: "Sources/EdgecatTelemetryServer"),

    // The edge agent: the spool, the forwarder to telemetry, the model manager and the local
    // edgecat.agent.v1.AgentService. It leaves out the service kit and EdgecatCrypto, whose
    // libcrypto would add about 3 MiB to the agent's idle memory.
    .target(
      name: "EdgecatAgent",
      dependencies: [
        "EdgecatStore", "EdgecatRPC", "EdgecatProto", "EdgecatFlags", "EdgecatLog",
        "EdgecatCore",
      ],
      path: "Sources/EdgecatAgent"),

    // The echo service that transport tests, interop tests and the benchmark call.
    .target(
      name: "EdgecatEcho", dependencies: ["EdgecatRPC", "EdgecatProto"], path: "Sources/EdgecatEcho"
    ),

    // Executables.
    .executableTarget(
      name: "edgecat-policy",
      dependencies: [
        "EdgecatPolicy", "EdgecatPolicyServer", "EdgecatRPC", "EdgecatServiceKit", "EdgecatLog",
      ],
      path: "services/edgecat-policy"),
    .executableTarget(
      name: "edgecat-catalog",
      dependencies: [
        "EdgecatCatalog", "EdgecatCatalogServer", "EdgecatRPC", "EdgecatServiceKit", "EdgecatLog",
      ],
      path: "services/edgecat-catalog"),
    .executableTarget(name: "edgecat", dependencies: ["EdgecatCLI"], path: "services/edgecat"),
    .executableTarget(
      name: "edgecat-registry",
      dependencies: [
        "EdgecatRegistry", "EdgecatRegistryServer", "EdgecatRPC", "EdgecatServiceKit",
        "EdgecatLog",
      ],
      path: "services/edgecat-registry"),
    .executableTarget(
      name: "edgecat-telemetry",
      dependencies: [
        "EdgecatTelemetry", "EdgecatTelemetryServer", "EdgecatRPC", "EdgecatServiceKit",
        "EdgecatLog",
      ],
      path: "services/edgecat-telemetry"),
    .executableTarget(
      name: "edgecat-agent",
      dependencies: ["EdgecatAgent", "EdgecatRPC", "EdgecatFlags", "EdgecatLog"],
      path: "services/edgecat-agent",
      // Shared libraries whose symbols the agent never calls stay unloaded, which keeps its
      // idle memory down.
      linkerSettings: [.unsafeFlags(["-static-stdlib", "-Xlinker", "--as-needed"])]),
    .executableTarget(
      name: "edgecat-echo-server", dependencies: ["EdgecatRPC", "EdgecatEcho", "EdgecatLog"],
      path: "services/edgecat-echo-server"),
    .executableTarget(
      name: "edgecat-bench",
      dependencies: ["CBenchLinux", "EdgecatRPC", "EdgecatEcho", "EdgecatProto", "EdgecatLog"],
      path: "Benchmarks/edgecat-bench"),
    .executableTarget(
      name: "edgecat-bench-ingest",
      dependencies: [
        "CSQLite", "EdgecatTelemetry", "EdgecatCore", "EdgecatProto", "EdgecatRPC",
      ],
      path: "Benchmarks/edgecat-bench-ingest"),

    // Tests.
    .testTarget(
      name: "EdgecatProtoTests", dependencies: ["EdgecatProto"], path: "Tests/EdgecatProtoTests"),
    // Helpers that several test targets share.
    .target(
      name: "EdgecatTestSupport", dependencies: ["EdgecatStore"],
      path: "Tests/EdgecatTestSupport"),
    .testTarget(
      name: "EdgecatStoreTests", dependencies: ["EdgecatStore", "EdgecatTestSupport"],
      path: "Tests/EdgecatStoreTests"),
    .testTarget(
      name: "EdgecatCryptoTests", dependencies: ["EdgecatCrypto"],
      path: "Tests/EdgecatCryptoTests"),
    .testTarget(
      name: "EdgecatPolicyTests",
      dependencies: [
        "EdgecatPolicy", "EdgecatCore", "EdgecatCrypto", "EdgecatStore", "EdgecatTestSupport",
      ],
      path: "Tests/EdgecatPolicyTests"),
    .testTarget(
      name: "EdgecatPolicyServerTests",
      dependencies: [
        "EdgecatCore", "EdgecatPolicy", "EdgecatPolicyServer", "EdgecatServiceKit", "EdgecatRPC",
        "EdgecatProto",
      ],
      path: "Tests/EdgecatPolicyServerTests"),
    .testTarget(
      name: "EdgecatServiceKitTests",
      dependencies: ["EdgecatServiceKit", "EdgecatRPC", "EdgecatProto"],
      path: "Tests/EdgecatServiceKitTests"),
    .testTarget(
      name: "EdgecatCatalogTests",
      dependencies: [
        "EdgecatCatalog", "EdgecatCatalogServer", "EdgecatPolicy", "EdgecatPolicyServer",
        "EdgecatServiceKit", "EdgecatRPC", "EdgecatProto", "EdgecatCore", "EdgecatStore",
        "EdgecatTestSupport",
      ],
      path: "Tests/EdgecatCatalogTests"),
    .testTarget(
      name: "EdgecatCLITests",
      dependencies: [
        "EdgecatCLI", "EdgecatCatalog", "EdgecatCatalogServer", "EdgecatPolicy",
        "EdgecatPolicyServer", "EdgecatRegistry", "EdgecatRegistryServer", "EdgecatServiceKit",
        "EdgecatRPC", "EdgecatProto", "EdgecatCrypto", "EdgecatAgent", "EdgecatStore",
        "EdgecatCore",
      ],
      path: "Tests/EdgecatCLITests"),
    .testTarget(
      name: "EdgecatRegistryTests",
      dependencies: [
        "EdgecatRegistry", "EdgecatRegistryServer", "EdgecatCatalog", "EdgecatCatalogServer",
        "EdgecatPolicy", "EdgecatPolicyServer", "EdgecatServiceKit", "EdgecatRPC",
        "EdgecatProto", "EdgecatCore", "EdgecatCrypto",
      ],
      path: "Tests/EdgecatRegistryTests"),
    .testTarget(
      name: "EdgecatTelemetryTests",
      dependencies: [
        "EdgecatTelemetry", "EdgecatTelemetryServer", "EdgecatRegistry", "EdgecatRegistryServer",
        "EdgecatCatalog", "EdgecatCatalogServer", "EdgecatPolicy", "EdgecatPolicyServer",
        "EdgecatServiceKit", "EdgecatRPC", "EdgecatProto", "EdgecatCore", "EdgecatCrypto",
        "EdgecatStore",
      ],
      path: "Tests/EdgecatTelemetryTests"),
    .testTarget(
      name: "EdgecatAgentTests",
      dependencies: [
        "EdgecatAgent", "EdgecatRegistry", "EdgecatRegistryServer", "EdgecatCatalog",
        "EdgecatCatalogServer", "EdgecatPolicy", "EdgecatPolicyServer", "EdgecatServiceKit",
        "EdgecatRPC", "EdgecatProto", "EdgecatCore", "EdgecatCrypto", "EdgecatStore",
        "EdgecatTestSupport",
      ],
      path: "Tests/EdgecatAgentTests"),
    .testTarget(
      name: "EdgecatRPCTests",
      dependencies: ["EdgecatRPC", "EdgecatEcho", "EdgecatProto", "EdgecatLog"],
      path: "Tests/EdgecatRPCTests"),
  ]
)
