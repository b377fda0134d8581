// nghttp2 as a Swift module. Debian package: libnghttp2-dev.
#pragma once
#include <nghttp2/nghttp2.h>
