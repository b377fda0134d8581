// OpenSSL's libcrypto as a Swift module. Debian package: libssl-dev.
#pragma once
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

/// Removes the oldest error from this thread's OpenSSL error queue, writes its text to `buffer`
/// and clears the rest of the queue. Returns the error code, or 0 when the queue was empty.
static inline unsigned long ccrypto_take_error(char *buffer, size_t length) {
  unsigned long code = ERR_get_error();
  if (length > 0) {
    buffer[0] = '\0';
  }
  if (code != 0 && length > 0) {
    ERR_error_string_n(code, buffer, length);
  }
  ERR_clear_error();
  return code;
}
