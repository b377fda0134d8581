"""Swift glue that copies a message between its Swift struct and its protobuf-c C struct."""

from .model import FD
from .names import escape_identifier, lower_camel

# Reader and writer method names of the Swift runtime, by value kind.
READ = {"scalar": "scalar", "bool": "bool", "string": "string", "bytes": "bytes",
        "enum": "enumValue", "message": "message"}
READ_REPEATED = {"scalar": "repeatedScalar", "bool": "repeatedBool", "string": "repeatedString",
                 "bytes": "repeatedBytes", "enum": "repeatedEnum", "message": "repeatedMessage"}
WRITE = {"scalar": "setScalar", "bool": "setBool", "string": "setString", "bytes": "setBytes",
         "enum": "setEnum", "message": "setMessage"}
WRITE_REPEATED = {"scalar": "setRepeatedScalar", "bool": "setRepeatedBool",
                  "string": "setRepeatedString", "bytes": "setRepeatedBytes",
                  "enum": "setRepeatedEnum", "message": "setRepeatedMessage"}

# Kinds whose reader methods take the Swift type, because the return type alone is generic.
TYPED_READS = {"scalar", "enum", "message"}


class CodecGlue:
    """Emitter of the ProtoMessage and CBackedMessage conformance of one message."""

    def __init__(self, index, message, full, out):
        self.index = index
        self.message = message
        self.full = full
        self.out = out
        numbers = sorted(field.number for field in message.field)
        self.position = {number: i for i, number in enumerate(numbers)}
        self.numbers = numbers

    def emit(self):
        swift_name = self.index.messages[self.full][0]
        numbers = ", ".join(str(number) for number in self.numbers)
        out = self.out
        out()
        out(f"extension {swift_name}: ProtoMessage, CBackedMessage {{")
        out(f'  public static let protoMessageName = "{self.full[1:]}"')
        out("  static let cDescriptor = CMessageDescriptor(")
        out(f"    named: protoMessageName, fieldNumbers: [{numbers}])")
        out()
        out("  public init(serializedBytes bytes: [UInt8]) throws(ProtoDecodingError) {")
        out("    self = try ProtoCodec.decode(Self.self, from: bytes)")
        out("  }")
        out()
        out("  public func serializedBytes(extraCapacity: Int) -> [UInt8] {")
        out("    ProtoCodec.encode(self, extraCapacity: extraCapacity)")
        out("  }")
        out()
        out("  init(cReader reader: CMessageReader) {")
        out("    self.init()")
        self.emit_reads()
        out("  }")
        out()
        out("  func write(to writer: CMessageWriter) {")
        self.emit_writes()
        out("  }")
        out("}")

    def oneof_members(self, number):
        return [f for f in self.message.field
                if f.HasField("oneof_index") and f.oneof_index == number]

    def read_value(self, receiver, field, position):
        kind, swift = self.index.value_kind(field)
        typed = f", as: {swift}.self" if kind in TYPED_READS else ""
        return f"{receiver}.{READ[kind]}({position}{typed})", kind, swift

    def emit_reads(self):
        done = set()
        for field in self.message.field:
            name = escape_identifier(lower_camel(field.name))
            position = self.position[field.number]
            if field.HasField("oneof_index"):
                if field.oneof_index not in done:
                    done.add(field.oneof_index)
                    self.emit_oneof_read(field.oneof_index, position)
                continue
            if self.index.is_map(field):
                key, value = self.index.map_parts(field)
                key_read, _, _ = self.read_value("entry", key, 0)
                value_read, kind, swift = self.read_value("entry", value, 1)
                if kind == "message":
                    value_read += f" ?? {swift}()"
                self.out(f"    self.{name} = reader.map({position}) {{ entry in")
                self.out(f"      ({key_read}, {value_read})")
                self.out("    }")
            elif field.label == FD.LABEL_REPEATED:
                kind, swift = self.index.value_kind(field)
                typed = f", as: {swift}.self" if kind in TYPED_READS else ""
                self.out(f"    self.{name} = reader.{READ_REPEATED[kind]}({position}{typed})")
            else:
                self.out(f"    self.{name} = {self.read_value('reader', field, position)[0]}")

    def emit_oneof_read(self, number, any_position):
        oneof = escape_identifier(lower_camel(self.message.oneof_decl[number].name))
        self.out(f"    switch reader.oneofCase({any_position}) {{")
        for field in self.oneof_members(number):
            read, kind, swift = self.read_value("reader", field, self.position[field.number])
            if kind == "message":
                read += f" ?? {swift}()"
            case = escape_identifier(lower_camel(field.name))
            self.out(f"    case {field.number}: self.{oneof} = .{case}({read})")
        self.out(f"    default: self.{oneof} = nil")
        self.out("    }")

    def emit_writes(self):
        done = set()
        for field in self.message.field:
            name = escape_identifier(lower_camel(field.name))
            position = self.position[field.number]
            if field.HasField("oneof_index"):
                if field.oneof_index not in done:
                    done.add(field.oneof_index)
                    self.emit_oneof_write(field.oneof_index)
                continue
            if self.index.is_map(field):
                key, value = self.index.map_parts(field)
                key_write = WRITE[self.index.value_kind(key)[0]]
                value_write = WRITE[self.index.value_kind(value)[0]]
                self.out(f"    writer.setMap({position}, self.{name}) {{ entry, key, value in")
                self.out(f"      entry.{key_write}(0, key)")
                self.out(f"      entry.{value_write}(1, value)")
                self.out("    }")
            elif field.label == FD.LABEL_REPEATED:
                kind, _ = self.index.value_kind(field)
                self.out(f"    writer.{WRITE_REPEATED[kind]}({position}, self.{name})")
            else:
                kind, _ = self.index.value_kind(field)
                self.out(f"    writer.{WRITE[kind]}({position}, self.{name})")

    def emit_oneof_write(self, number):
        oneof = escape_identifier(lower_camel(self.message.oneof_decl[number].name))
        self.out(f"    switch self.{oneof} {{")
        for field in self.oneof_members(number):
            kind, _ = self.index.value_kind(field)
            case = escape_identifier(lower_camel(field.name))
            position = self.position[field.number]
            self.out(f"    case .{case}(let value)?: writer.{WRITE[kind]}({position}, value)")
        self.out("    case nil: break")
        self.out("    }")
