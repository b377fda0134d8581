extension RequestHead {
  /// Records a header that is not one the transport reads itself. A client usually sends the
  /// same custom headers on every call, so while they equal the previous call's, only their
  /// bytes are compared.
  mutating func addCustom(
    name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>,
    strings: inout HeaderStringCache
  ) {
    if matchesPrevious,
      let field = strings.previousField(at: customCount, name: name, value: value)
    {
      customCount += 1
      if field.name == "x-request-id" { requestID = field.value }
      return
    }
    if matchesPrevious { stopMatching(strings) }
    let field: HeaderStringCache.Field
    if let cached = strings.cachedField(name: name, value: value) {
      field = cached
    } else {
      // Only fields that pass enter the cache, so a field found there was checked before.
      if let problem = FieldSyntax.problem(name: name, value: value) { return malformed(problem) }
      field = strings.addField(name: name, value: value)
    }
    customCount += 1
    customFields.append(field)
    record(field)
  }

  /// Completes the custom metadata once the header block ended: the previous call's when this
  /// call's custom headers are the same, in order. Then keeps this call's for the next call.
  mutating func finishMetadata(strings: inout HeaderStringCache) {
    if matchesPrevious {
      if let previous = strings.previousMetadata(count: customCount) {
        metadata = previous
        return
      }
      stopMatching(strings)
    }
    // Metadata with an invalid value, cut short or of a malformed request is rejected, so it is
    // not kept for reuse.
    if badMetadata == nil && !listTooLarge && malformation == nil {
      strings.keepPrevious(fields: customFields, metadata: metadata)
    }
  }

  /// Builds the metadata of the custom headers that matched the previous call's so far.
  private mutating func stopMatching(_ strings: HeaderStringCache) {
    matchesPrevious = false
    for field in strings.previousFields(count: customCount) {
      customFields.append(field)
      record(field)
    }
  }

  private mutating func record(_ field: HeaderStringCache.Field) {
    if field.name == "x-request-id" { requestID = field.value }
    switch field.kind {
    case .reserved:
      return
    case .text:
      metadata.addWireText(name: field.name, value: field.value)
    case .binary:
      if !metadata.addWireHeader(name: field.name, value: field.value) { badMetadata = field.name }
    }
  }
}
