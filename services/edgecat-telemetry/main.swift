// edgecat-telemetry: device liveness, the inference log, governed queries, metrics and alerts.
import EdgecatTelemetry
import EdgecatTelemetryServer
