extension Settings {
  /// Takes the token from the first source that sets `token` or `token-file`. One source
  /// setting both is a usage error, because it is unclear which was meant.
  mutating func resolveToken(_ sources: SettingSources, home: String?, console: Console)
    throws
  {
    let tokenLayers = sources.layers(GlobalFlag.named("token")!)
    let fileLayers = sources.layers(GlobalFlag.named("token-file")!)
    for (token, file) in zip(tokenLayers, fileLayers) {
      if let token, let file {
        throw CLIError.usage(
          "both \(token.origin) and \(file.origin) are set; keep one of them")
      }
      if let token {
        guard !token.value.isEmpty else {
          throw CLIError.usage("\(token.origin) is empty; set it to a bearer token")
        }
        self.token = token.value
        tokenOrigin = token.origin
        return
      }
      if let file {
        let path = expandHome(file.value, home: home)
        let text: String
        do {
          text = try console.readFile(path)
        } catch let error as CLIError {
          throw CLIError.usage("\(file.origin): \(error.message); fix the path to the token file")
        }
        let firstLine = text.split(separator: "\n").first?.trimmingWhitespace() ?? ""
        guard !firstLine.isEmpty else {
          throw CLIError.usage("token file \(path) from \(file.origin) is empty; write the token")
        }
        self.token = firstLine
        tokenOrigin = "\(file.origin) \(path)"
        return
      }
    }
  }
}
