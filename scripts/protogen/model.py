"""Index of the messages and enums of a FileDescriptorSet, with Swift names and field kinds."""

from google.protobuf import descriptor_pb2

from .names import escape_type, enum_case_name, package_prefix

FD = descriptor_pb2.FieldDescriptorProto

# Swift types of the numeric proto types. protobuf-c stores each as the C type of the same width.
NUMERIC_TYPES = {
    FD.TYPE_DOUBLE: "Double",
    FD.TYPE_FLOAT: "Float",
    FD.TYPE_INT64: "Int64",
    FD.TYPE_SINT64: "Int64",
    FD.TYPE_SFIXED64: "Int64",
    FD.TYPE_UINT64: "UInt64",
    FD.TYPE_FIXED64: "UInt64",
    FD.TYPE_INT32: "Int32",
    FD.TYPE_SINT32: "Int32",
    FD.TYPE_SFIXED32: "Int32",
    FD.TYPE_UINT32: "UInt32",
    FD.TYPE_FIXED32: "UInt32",
}

# Swift zero values of the reader and writer kinds that have one.
ZERO_VALUES = {"scalar": "0", "bool": "false", "string": '""', "bytes": "[]"}


class GeneratorError(Exception):
    """A proto construct that the Swift generator cannot represent."""


class TypeIndex:
    """Swift names and descriptors of every message and enum, keyed by ".full.proto.Name"."""

    def __init__(self, files):
        self.messages = {}
        self.enums = {}
        for file in files:
            if file.syntax != "proto3":
                raise GeneratorError(f"{file.name} is not proto3, the only syntax supported")
            prefix = package_prefix(file.package)
            scope = "." + file.package if file.package else ""
            for message in file.message_type:
                self._add_message(message, scope, prefix + escape_type(message.name))
            for enum in file.enum_type:
                self.enums[f"{scope}.{enum.name}"] = (prefix + escape_type(enum.name), enum)
        self._reject_recursion()

    def _add_message(self, message, scope, swift_name):
        full = f"{scope}.{message.name}"
        self.messages[full] = (swift_name, message)
        for nested in message.nested_type:
            self._add_message(nested, full, f"{swift_name}.{escape_type(nested.name)}")
        for enum in message.enum_type:
            self.enums[f"{full}.{enum.name}"] = (f"{swift_name}.{escape_type(enum.name)}", enum)

    def _reject_recursion(self):
        """Raise when a message contains itself through singular message fields.

        A Swift struct cannot contain itself, and the generator has no boxed storage for it.
        Repeated and map fields are fine, because Swift arrays and dictionaries store elements
        on the heap.
        """
        edges = {
            full: [f.type_name for f in proto.field
                   if f.type == FD.TYPE_MESSAGE and f.label != FD.LABEL_REPEATED]
            for full, (_, proto) in self.messages.items()
        }
        state = {}

        def visit(name, trail):
            if state.get(name) == "done":
                return
            if state.get(name) == "open":
                cycle = " -> ".join(trail + [name])
                raise GeneratorError(f"recursive message types are not supported: {cycle}")
            state[name] = "open"
            for target in edges.get(name, []):
                visit(target, trail + [name])
            state[name] = "done"

        for name in sorted(edges):
            visit(name, [])

    def is_map(self, field):
        if field.type != FD.TYPE_MESSAGE or field.label != FD.LABEL_REPEATED:
            return False
        return self.messages[field.type_name][1].options.map_entry

    def map_parts(self, field):
        """Return the key and value fields of a map field's entry message."""
        entry = self.messages[field.type_name][1]
        key = next(f for f in entry.field if f.number == 1)
        value = next(f for f in entry.field if f.number == 2)
        return key, value

    def value_kind(self, field):
        """Return the reader/writer method kind and the Swift type of one value of a field."""
        if field.type in NUMERIC_TYPES:
            return "scalar", NUMERIC_TYPES[field.type]
        if field.type == FD.TYPE_BOOL:
            return "bool", "Bool"
        if field.type == FD.TYPE_STRING:
            return "string", "String"
        if field.type == FD.TYPE_BYTES:
            return "bytes", "[UInt8]"
        if field.type == FD.TYPE_ENUM:
            return "enum", self.enums[field.type_name][0]
        if field.type == FD.TYPE_MESSAGE:
            return "message", self.messages[field.type_name][0]
        raise GeneratorError(f"field {field.name} has unsupported type {field.type}")

    def swift_type(self, field):
        if self.is_map(field):
            key, value = self.map_parts(field)
            return f"[{self.value_kind(key)[1]}: {self.value_kind(value)[1]}]"
        kind, swift = self.value_kind(field)
        if field.label == FD.LABEL_REPEATED:
            return f"[{swift}]"
        return f"{swift}?" if kind == "message" else swift

    def default_value(self, field):
        if self.is_map(field):
            return "[:]"
        if field.label == FD.LABEL_REPEATED:
            return "[]"
        kind, swift = self.value_kind(field)
        return self.zero_value(field, kind, swift, optional_message=True)

    def zero_value(self, field, kind, swift, optional_message):
        if kind == "message":
            return "nil" if optional_message else f"{swift}()"
        if kind == "enum":
            enum = self.enums[field.type_name][1]
            return "." + enum_case_name(enum, enum.value[0])
        return ZERO_VALUES[kind]
