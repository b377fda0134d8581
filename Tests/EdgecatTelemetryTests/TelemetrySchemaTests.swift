import EdgecatTelemetry
import Testing

@Suite struct TelemetrySchemaTests {
  @Test func columnNamesAreUnique() {
    #expect(Set(InferenceLogColumns.names).count == InferenceLogColumns.all.count)
  }
}
