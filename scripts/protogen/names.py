"""Swift names for proto names, following SwiftProtobuf's conventions."""

# Acronyms written in capitals inside a lowerCamelCase name, as SwiftProtobuf does (`decisionID`).
ACRONYMS = {"id", "url", "http", "https", "json"}

SWIFT_KEYWORDS = {
    "Any", "Protocol", "Self", "Type", "as", "associatedtype", "break", "case", "catch",
    "class", "continue", "default", "defer", "deinit", "do", "else", "enum", "extension",
    "fallthrough", "false", "fileprivate", "for", "func", "guard", "if", "import", "in", "init",
    "inout", "internal", "is", "let", "nil", "open", "operator", "private", "protocol", "public",
    "repeat", "rethrows", "return", "self", "static", "struct", "subscript", "super", "switch",
    "throw", "throws", "true", "try", "typealias", "var", "where", "while",
}

# Type names that would shadow Swift's own, renamed with a "Message" suffix as SwiftProtobuf does.
RESERVED_TYPE_NAMES = {"Any", "Protocol", "Self", "Type"}


def upper_first(word):
    return word[:1].upper() + word[1:]


def lower_camel(snake):
    """Convert a snake_case field name or an UPPER_SNAKE_CASE enum value name to lowerCamelCase."""
    parts = [part for part in snake.split("_") if part]
    if not parts:
        return "_"
    if snake.upper() == snake:
        parts = [part.lower() for part in parts]
    words = [parts[0][:1].lower() + parts[0][1:]]
    for part in parts[1:]:
        words.append(part.upper() if part.lower() in ACRONYMS else upper_first(part))
    name = "".join(words)
    return "_" + name if name[0].isdigit() else name


def upper_camel(snake):
    return upper_first(lower_camel(snake))


def escape_identifier(name):
    return f"`{name}`" if name in SWIFT_KEYWORDS else name


def escape_type(name):
    return name + "Message" if name in RESERVED_TYPE_NAMES else name


def package_prefix(package):
    """Return the Swift prefix of a proto package: "grpc.health.v1" becomes "Grpc_Health_V1_"."""
    parts = [
        "".join(upper_first(piece) for piece in part.split("_"))
        for part in package.split(".") if part
    ]
    return "_".join(parts) + "_" if parts else ""


def strip_enum_prefix(enum_name, value_name):
    """Remove the enum name from the front of a value name: COLOR_RED in Color becomes RED.

    The comparison ignores case and underscores. A value keeps its name when stripping would leave
    it empty or starting with a digit.
    """
    prefix = enum_name.lower()
    index = 0
    matched = 0
    while index < len(value_name) and matched < len(prefix):
        char = value_name[index].lower()
        if char == "_":
            index += 1
            continue
        if char != prefix[matched]:
            return value_name
        index += 1
        matched += 1
    if matched < len(prefix):
        return value_name
    rest = value_name[index:].lstrip("_")
    if not rest or rest[0].isdigit():
        return value_name
    return rest


def enum_case_name(enum, value):
    return escape_identifier(lower_camel(strip_enum_prefix(enum.name, value.name)))


def doc_lines(comment, indent):
    """Turn a proto comment from source info into `///` lines."""
    if not comment or not comment.strip():
        return []
    lines = comment.rstrip("\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    out = []
    for line in lines:
        text = line[1:] if line.startswith(" ") else line
        out.append(f"{indent}/// {text}".rstrip())
    return out
