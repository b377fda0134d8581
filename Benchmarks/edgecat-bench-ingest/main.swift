// Measures telemetry ingest and metrics. Modes:
//   edgecat-bench-ingest ingest [--records N] [--folder DIR]
//     engine ingest of 1,000-record batches through one caller and through 64 concurrent
//     callers, each batch durably committed, then raw SQLite inserts of the same table and
//     indexes (one prepared statement, one transaction per 1,000 rows, WAL, synchronous=FULL).
//   edgecat-bench-ingest engine [--records N] [--folder DIR]
//     only the one-caller engine ingest, for profiling.
//   edgecat-bench-ingest raw [--records N] [--folder DIR]
//     only the raw SQLite inserts.
//   edgecat-bench-ingest load [--records N] [--folder DIR]
//     loads N records (default 10 million) of 500 devices over 30 days through the engine,
//     then times metrics for one-hour windows and daily metrics over 30 days.
//   edgecat-bench-ingest stream --target HOST:PORT --token-folder DIR [--streams S]
//       [--window W] [--records N] [--server-pid PID] [--label NAME]
//     ingest through edgecat-telemetry's StreamInferenceLogs: S streams at once (default 1),
//     stream i writing as device bench-i with the token in DIR/bench-i.token, pre-encoded
//     1,000-record batches, W unacknowledged at most (default 8). NAME goes into the epochs,
//     so that runs against one database differ.
//   edgecat-bench-ingest query --target HOST:PORT --token-file PATH [--server-pid PID]
//     times GetMetrics for the last hour and the seed's one-hour and per-day queries.
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
case "raw":
  try IngestBenchmark(folder: folder, records: arguments.records ?? 256_000).runRaw()
case "load":
  try await LoadBenchmark(folder: folder, records: arguments.records ?? 10_000_000).run()
case "stream":
  guard let tokenFolder = arguments.tokenFolder, arguments.streams > 0, arguments.window > 0
  else {
    print("stream needs --token-folder DIR, and --streams and --window above 0")
    exit(2)
  }
  try await StreamBenchmark(
    target: arguments.endpoint, tokenFolder: tokenFolder, streams: arguments.streams,
    records: arguments.records ?? 256_000, window: arguments.window,
    serverPID: arguments.serverPID, label: arguments.label
  ).run()
case "query":
  guard let tokenFile = arguments.tokenFile else {
    print("query needs --token-file PATH")
    exit(2)
  }
  try await ServiceQueryBenchmark(
    target: arguments.endpoint, tokenFile: tokenFile, serverPID: arguments.serverPID
  ).run()
default:
  print("usage: edgecat-bench-ingest ingest|engine|raw|load|stream|query [flags]; see main.swift")
  exit(2)
}
if arguments.folder == nil { _ = system("rm -rf '\(folder)'") }
