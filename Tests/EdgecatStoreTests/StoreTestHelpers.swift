import Glibc

/// Copies the file at `source` to `destination` byte for byte; returns false when `source`
/// does not exist.
@discardableResult
func copyFile(_ source: String, _ destination: String) -> Bool {
  guard let input = fopen(source, "rb") else { return false }
  defer { fclose(input) }
  guard let output = fopen(destination, "wb") else { return false }
  defer { fclose(output) }
  var buffer = [UInt8](repeating: 0, count: 65536)
  while true {
    let count = fread(&buffer, 1, buffer.count, input)
    if count == 0 { break }
    fwrite(buffer, 1, count, output)
  }
  return true
}

/// An error that test closures throw on purpose.
struct PlannedFailure: Error, Equatable {
  let id: Int
}
