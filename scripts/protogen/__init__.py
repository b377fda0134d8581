"""Code generation for edgecat's protobuf layer: Swift wrappers over protoc-c output."""
