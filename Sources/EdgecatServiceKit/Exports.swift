// The flag parser and token files live in their own module, so that the edge agent can use
// them without the rest of the service kit. Every service keeps reaching them through this
// module.
@_exported import EdgecatFlags
