// protobuf-c's runtime as a Swift module. Debian package: libprotobuf-c-dev.
#pragma once
#include <protobuf-c/protobuf-c.h>
