import EdgecatProto

/// Messages of edgecat.testing.v1.FieldKinds shared by the codec tests.
enum FieldKindsSample {
  typealias Kinds = Edgecat_Testing_V1_FieldKinds

  static func nested(_ label: String, _ values: [Int32] = []) -> Kinds.Nested {
    var nested = Kinds.Nested()
    nested.label = label
    nested.values = values
    return nested
  }

  /// Returns a message with every field set to a value other than its default.
  static func everyField() -> Kinds {
    var kinds = Kinds()
    kinds.doubleValue = -1.5e300
    kinds.floatValue = 3.25
    kinds.int32Value = .min
    kinds.int64Value = .min
    kinds.uint32Value = .max
    kinds.uint64Value = .max
    kinds.sint32Value = -123_456
    kinds.sint64Value = -9_876_543_210
    kinds.fixed32Value = 0xDEAD_BEEF
    kinds.fixed64Value = 0xFEED_FACE_CAFE_BEEF
    kinds.sfixed32Value = -42
    kinds.sfixed64Value = -4_200_000_000
    kinds.boolValue = true
    kinds.stringValue = "naïve café ☕️ 𝄞"
    kinds.bytesValue = [0x00, 0x01, 0xFE, 0xFF]
    kinds.color = .darkBlue
    kinds.nested = nested("inner", [1, -1, .max])

    kinds.repeatedDouble = [0, -0.5, .infinity]
    kinds.repeatedFloat = [1.5, -2]
    kinds.repeatedInt32 = [0, -1, .max]
    kinds.repeatedInt64 = [.min, 0, .max]
    kinds.repeatedUint32 = [0, .max]
    kinds.repeatedUint64 = [.max, 1]
    kinds.repeatedSint32 = [-1, 1, .min]
    kinds.repeatedSint64 = [.min, .max]
    kinds.repeatedFixed32 = [7, 8]
    kinds.repeatedFixed64 = [9]
    kinds.repeatedSfixed32 = [-10, 10]
    kinds.repeatedSfixed64 = [-11]
    kinds.repeatedBool = [true, false, true]
    kinds.repeatedString = ["a", "", "ü"]
    kinds.repeatedBytes = [[1], [], [2, 3]]
    kinds.repeatedColor = [.red, .unspecified, .unrecognized(99)]
    kinds.repeatedNested = [nested("first"), Kinds.Nested(), nested("", [5])]

    kinds.stringToString = ["b": "2", "a": "1", "": "empty key"]
    kinds.int32ToBytes = [-5: [1, 2], 0: [], 7: [0]]
    kinds.uint64ToNested = [.max: nested("max"), 0: Kinds.Nested()]
    kinds.boolToColor = [true: .red, false: .darkBlue]
    kinds.sint64ToDouble = [-1: 0.25, .min: -8]

    kinds.choice = .choiceNested(nested("chosen", [3]))
    return kinds
  }
}
