#!/usr/bin/env python3
"""Lay out protoc-c output and generate the Swift wrappers and C glue for the files of proto/.

scripts/generate-proto runs this after protoc and protoc-c, and the output depends only on the
inputs: files are written in sorted order, with no timestamps or absolute paths.
"""

import argparse
import os
import sys

from google.protobuf import descriptor_pb2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from protogen.c_glue import CTarget, write_file  # noqa: E402
from protogen.model import GeneratorError, TypeIndex  # noqa: E402
from protogen.swift import SwiftFile  # noqa: E402


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--protoc-c-out", required=True, help="folder that protoc-c wrote into")
    parser.add_argument("--source-set", required=True,
                        help="FileDescriptorSet of proto/ with source info, for doc comments")
    parser.add_argument("--embedded-set", required=True,
                        help="FileDescriptorSet of proto/ without source info, to embed in C")
    parser.add_argument("--out", required=True,
                        help="root to write Sources/CEdgecatProto and Sources/EdgecatProto into")
    return parser.parse_args()


def swift_file_name(proto_name):
    """Return a flat file name, because Swift rejects two files of one module with one name."""
    return proto_name[: -len(".proto")].replace("/", "_") + ".pb.swift"


def main():
    arguments = parse_arguments()
    source_set = descriptor_pb2.FileDescriptorSet()
    with open(arguments.source_set, "rb") as handle:
        source_set.ParseFromString(handle.read())
    with open(arguments.embedded_set, "rb") as handle:
        embedded = handle.read()

    files = sorted(source_set.file, key=lambda file: file.name)
    names = [file.name for file in files]
    try:
        index = TypeIndex(files)
        target = CTarget(os.path.join(arguments.out, "Sources", "CEdgecatProto"))
        headers = target.install_protoc_c_output(arguments.protoc_c_out, names)
        target.write_umbrella_header(headers)
        target.write_module_map()
        target.write_descriptor_set(embedded)
        target.write_descriptor_table(headers)
        swift_dir = os.path.join(arguments.out, "Sources", "EdgecatProto", "Generated")
        for file in files:
            text = SwiftFile(index, file).render()
            write_file(os.path.join(swift_dir, swift_file_name(file.name)), text)
    except (GeneratorError, FileNotFoundError) as error:
        sys.stderr.write(f"protoc-gen-swift-c: {error}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
