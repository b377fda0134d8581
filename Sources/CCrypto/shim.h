// OpenSSL's libcrypto as a Swift module. Debian package: libssl-dev.
#pragma once
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
