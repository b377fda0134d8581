// Measures telemetry ingest and metrics. Modes:
//   edgecat-bench-ingest ingest [--records N] [--folder DIR]
//     engine ingest of 1,000-record batches through one caller and through 64 concurrent
//     callers, each batch durably committed, then raw SQLite inserts of the same table and
//     indexes (one prepared statement, one transaction per 1,000 rows, WAL, synchronous=FULL).
//   edgecat-bench-ingest engine [--records N] [--folder DIR]
//     only the one-caller engine ingest, for profiling.
//   edgecat-bench-ingest load [--records N] [--folder DIR]
//     loads N records (default 10 million) of 500 devices over 30 days through the engine,
//     then times metrics for one-hour windows and daily metrics over 30 days.
import EdgecatTelemetry
import Glibc

let arguments = BenchArguments(CommandLine.arguments)
let folder = arguments.folder ?? BenchArguments.temporaryFolder()
switch arguments.mode {
case "ingest":
  try await IngestBenchmark(folder: folder, records: arguments.records ?? 256_000).run()
case "engine":
  try await IngestBenchmark(folder: folder, records: arguments.records ?? 256_000)
    .run(engineOnly: true)
case "load":
  try await LoadBenchmark(folder: folder, records: arguments.records ?? 10_000_000).run()
default:
  print("usage: edgecat-bench-ingest ingest|engine|load [--records N] [--folder DIR]")
  exit(2)
}
if arguments.folder == nil { _ = system("rm -rf '\(folder)'") }
