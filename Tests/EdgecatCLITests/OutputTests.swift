import Testing

/// Table output for people and JSON output for scripts.
@Suite("Output formats")
struct OutputTests {
  /// Returns the offsets where each column of a header line starts.
  static func columnStarts(_ header: String) -> [Int] {
    var starts: [Int] = []
    var previous: Character = " "
    for (offset, character) in header.enumerated() {
      if character != " " && previous == " " { starts.append(offset) }
      previous = character
    }
    return starts
  }

  @Test("list tables align every column under its header")
  func alignedTable() async throws {
    try await ServiceFixture.with { fixture in
      try await fixture.succeed(
        "principal", "create", "a-very-long-name@example.com", "--attribute", "region=eu")
      try await fixture.succeed("principal", "create", "b@example.com")
      let result = try await fixture.succeed("principal", "list", "--type", "user")
      let lines = result.lines
      #expect(lines.count == 4)
      let starts = Self.columnStarts(lines[0])
      #expect(lines[0].hasPrefix("NAME"))
      #expect(starts.count == 5)
      let header = Array(lines[0])
      for line in lines.dropFirst() {
        let characters = Array(line)
        for start in starts.dropFirst() where start < characters.count {
          // Each cell starts at its header's column, after at least two spaces.
          #expect(characters[start - 1] == " ", "\(line)")
          #expect(characters[start - 2] == " ", "\(line)")
          #expect(header[start] != " ")
        }
        #expect(!line.hasSuffix(" "))
      }
      let row = try #require(lines.first { $0.hasPrefix("a-very-long-name") })
      #expect(Array(row)[starts[3]...].starts(with: "region=eu"))
    }
  }

  @Test("JSON lists are one array and records one object")
  func jsonDocuments() async throws {
    try await ServiceFixture.with { fixture in
      try await fixture.succeed("group", "create", "a")
      try await fixture.succeed("group", "create", "b")
      // A global flag may also follow the verb.
      let list = try await fixture.succeed("group", "list", "--output", "json")
      let groups = try list.jsonArray()
      let names = groups.compactMap { $0["name"] as? String }
      #expect(names.contains("a"))
      #expect(names.contains("b"))
      #expect(groups.allSatisfy { $0["type"] as? String == "GROUP" })

      let record = try await fixture.succeed("--output", "json", "group", "get", "a")
      #expect(try record.json()["name"] as? String == "a")
      let message = try await fixture.succeed("--output", "json", "group", "delete", "b")
      #expect(try message.json()["deleted"] as? String == "b")
      #expect(try message.json()["revision"] is Int)
      try await fixture.succeed("principal", "create", "c@example.com")
      let empty = try await fixture.succeed(
        "--output", "json", "token", "list", "--principal", "c@example.com")
      #expect(empty.stdout == "[]\n")
    }
  }

  @Test("JSON strings escape quotes and control characters")
  func jsonEscapes() async throws {
    try await ServiceFixture.with { fixture in
      let note = "say \"hi\"\\ then\ttab\nnew line"
      let created = try await fixture.succeed(
        "--output", "json", "principal", "create", "q@example.com", "--attribute", "note=\(note)")
      let attributes = try created.json()["attributes"] as? [String: String]
      #expect(attributes?["note"] == note)
      let details = try await fixture.succeed("principal", "get", "q@example.com")
      #expect(details.stdout.contains("attributes.note  say \"hi\"\\ then\ttab\nnew line\n"))
    }
  }

  @Test("an empty list prints (none)")
  func emptyTable() async throws {
    try await ServiceFixture.with { fixture in
      try await fixture.succeed("principal", "create", "c@example.com")
      let result = try await fixture.succeed("token", "list", "--principal", "c@example.com")
      #expect(result.stdout == "(none)\n")
    }
  }
}
