// grpc-pacer: an open-loop gRPC unary load generator on loopback, for latency below saturation.
//
// Call k (k = 0, 1, ...) is due at start + k / rate seconds and goes to connection k mod C. One
// thread sleeps in ppoll until the next due time and then submits every call that is due. It
// writes each connection's pending frames with one write per loop turn, so a late wake-up sends
// a small batch instead of shifting the schedule. Each call's latency runs from its scheduled
// time to its stream close, so a client or server that falls behind shows up as latency (no
// coordinated omission). The request body is a complete gRPC-framed message read from a file.
//
// NOTE: the client's CPU per call is mostly kernel time: every wake-up from ppoll, and every
// loopback TCP write, which also runs the receiving side's TCP processing. On a 2-core
// Firecracker VM it measured about 44 us per call at 4,000 calls/s and 6 us at 100,000 calls/s
// against edgecat-policy, about the server's own CPU per call, so it is printed with the figures.
//
// Build: Benchmarks/grpc-pacer/build.sh (gcc -O2 against libnghttp2).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
  max_headers = 32,
  read_buffer_size = 1 << 16,
  // Frames produced by nghttp2 are collected up to this size before one write.
  write_batch_size = 1 << 16,
  grpc_status_codes = 17,
};

// Calls that start more than this after their scheduled time count as late.
static const int64_t late_start_ns = 100 * 1000;
// How long to wait for outstanding calls once the schedule ends.
static const int64_t drain_ns = 1000 * 1000 * 1000;

typedef struct call call;
typedef struct connection connection;

struct call {
  int64_t scheduled_ns;
  size_t body_offset;
  int http_status;   // -1 until :status arrives
  int grpc_status;   // -1 until grpc-status arrives
  bool measured;
  call *next_free;
};

struct connection {
  int index;
  int fd;
  nghttp2_session *session;
  call *calls;        // max_outstanding records
  call *free_calls;   // stack of unused records
  int outstanding;
  uint8_t *out;       // bytes from nghttp2_session_mem_send not yet written
  size_t out_length;
  size_t out_capacity;
};

typedef struct {
  const char *target;
  const char *path;
  const char *request_file;
  const char *log_file;
  const char *header_lines[max_headers];
  int header_count;
  double rate;
  double duration;
  double warmup;
  int connections;
  int max_outstanding;
  double tick_us;
} options;

typedef struct {
  // Latency in nanoseconds of every completed measured call, in completion order.
  int64_t *latencies;
  size_t latency_count;
  size_t latency_capacity;
  uint64_t measured_started;
  uint64_t late_starts;
  uint64_t http_status_failures;
  uint64_t grpc_status_failures[grpc_status_codes];
  uint64_t grpc_status_missing;
  uint64_t stream_resets;
  int last_http_status;
  int64_t last_measured_close_ns;
  // System calls in the measured window, to explain the client's CPU time.
  uint64_t polls;
  uint64_t writes;
  uint64_t reads;
} figures;

static options opts = {
  .connections = 4,
  .max_outstanding = 256,
  .warmup = 1,
};
static figures fig;
static uint8_t *request_body;
static size_t request_length;
static nghttp2_nv request_headers[6 + max_headers];
static size_t request_header_count;
static char authority[300];

static void die(const char *format, ...) {
  va_list args;
  va_start(args, format);
  fputs("grpc-pacer: ", stderr);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
  va_end(args);
  exit(1);
}

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

// User and system CPU time of this process in nanoseconds.
static void cpu_ns(int64_t *user, int64_t *system) {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  *user = (int64_t)usage.ru_utime.tv_sec * 1000000000 + (int64_t)usage.ru_utime.tv_usec * 1000;
  *system = (int64_t)usage.ru_stime.tv_sec * 1000000000 + (int64_t)usage.ru_stime.tv_usec * 1000;
}

static const char usage_text[] =
  "usage: grpc-pacer --target 127.0.0.1:PORT --path /package.Service/Method --request FILE\n"
  "                  --rate CALLS_PER_SECOND --duration SECONDS [--warmup SECONDS]\n"
  "                  [--connections C] [--max-outstanding M] [--header 'name: value']...\n"
  "                  [--tick-us T] [--log-file PATH]\n"
  "  --target           loopback address and port of the gRPC server (127.0.0.0/8 or [::1])\n"
  "  --path             gRPC method path, sent as :path\n"
  "  --request          file with the complete gRPC-framed request: a flag byte, a 4-byte\n"
  "                     big-endian length and the message\n"
  "  --rate             calls per second over all connections, evenly spaced\n"
  "  --duration         seconds of measured calls, after the warmup\n"
  "  --warmup           seconds of calls sent but not measured (default 1)\n"
  "  --connections      HTTP/2 connections; call k goes to connection k mod C (default 4)\n"
  "  --max-outstanding  calls in flight per connection; a due call waits for a slot\n"
  "                     (default 256)\n"
  "  --header           request header, repeatable, such as 'authorization: Bearer TOKEN'\n"
  "  --tick-us          wakes for due calls at most once every T microseconds and sends the calls\n"
  "                     due by then together (default 0: wakes for each call); latency still\n"
  "                     runs from each call's scheduled time, so the wait counts in it\n"
  "  --log-file         writes the latency of each measured call in microseconds, one a line,\n"
  "                     in the order the calls completed\n";

static double parse_number(const char *option, const char *text, double minimum) {
  char *end;
  errno = 0;
  double value = strtod(text, &end);
  if (errno != 0 || end == text || *end != '\0' || !(value >= minimum)) {
    die("invalid %s '%s': expected a number of at least %g", option, text, minimum);
  }
  return value;
}

static void parse_options(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *name = argv[i];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
      fputs(usage_text, stdout);
      exit(0);
    }
    if (i + 1 >= argc) die("%s is missing its value\n%s", name, usage_text);
    const char *value = argv[++i];
    if (strcmp(name, "--target") == 0) {
      opts.target = value;
    } else if (strcmp(name, "--path") == 0) {
      opts.path = value;
    } else if (strcmp(name, "--request") == 0) {
      opts.request_file = value;
    } else if (strcmp(name, "--log-file") == 0) {
      opts.log_file = value;
    } else if (strcmp(name, "--header") == 0) {
      if (opts.header_count == max_headers) die("too many --header options (at most %d)",
                                                max_headers);
      opts.header_lines[opts.header_count++] = value;
    } else if (strcmp(name, "--rate") == 0) {
      opts.rate = parse_number(name, value, 1);
    } else if (strcmp(name, "--duration") == 0) {
      opts.duration = parse_number(name, value, 0.001);
    } else if (strcmp(name, "--warmup") == 0) {
      opts.warmup = parse_number(name, value, 0);
    } else if (strcmp(name, "--connections") == 0) {
      opts.connections = (int)parse_number(name, value, 1);
    } else if (strcmp(name, "--tick-us") == 0) {
      opts.tick_us = parse_number(name, value, 0);
    } else if (strcmp(name, "--max-outstanding") == 0) {
      opts.max_outstanding = (int)parse_number(name, value, 1);
    } else {
      die("unknown option '%s'\n%s", name, usage_text);
    }
  }
  if (!opts.target) die("--target is missing\n%s", usage_text);
  if (!opts.path || opts.path[0] != '/') die("--path is missing or does not start with '/'");
  if (!opts.request_file) die("--request is missing\n%s", usage_text);
  if (opts.rate == 0) die("--rate is missing\n%s", usage_text);
  if (opts.duration == 0) die("--duration is missing\n%s", usage_text);
  if (opts.rate * opts.duration < 1) {
    die("invalid --rate %g with --duration %g: fewer than one measured call", opts.rate,
        opts.duration);
  }
  if (opts.connections > 1024) die("invalid --connections %d: at most 1024", opts.connections);
}

// Parses HOST:PORT or [HOST]:PORT into a loopback socket address; rejects any other host.
static socklen_t parse_target(struct sockaddr_storage *address) {
  char host[256];
  const char *colon = strrchr(opts.target, ':');
  if (!colon || colon == opts.target) die("invalid --target '%s': expected HOST:PORT",
                                          opts.target);

  const char *host_start = opts.target;
  size_t host_length = (size_t)(colon - opts.target);
  if (host_start[0] == '[' && host_length >= 2 && host_start[host_length - 1] == ']') {
    host_start++;
    host_length -= 2;
  }
  if (host_length >= sizeof host) die("invalid --target '%s': host too long", opts.target);
  memcpy(host, host_start, host_length);
  host[host_length] = '\0';

  char *end;
  long port = strtol(colon + 1, &end, 10);
  if (*end != '\0' || port < 1 || port > 65535) {
    die("invalid port in --target '%s': expected 1 to 65535", opts.target);
  }

  memset(address, 0, sizeof *address);
  struct sockaddr_in *v4 = (struct sockaddr_in *)address;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)address;
  if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    if ((ntohl(v4->sin_addr.s_addr) >> 24) != 127) {
      die("rejected --target '%s': only loopback addresses (127.0.0.0/8, [::1]) are allowed",
          opts.target);
    }
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    return sizeof *v4;
  }
  if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    if (!IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr)) {
      die("rejected --target '%s': only loopback addresses (127.0.0.0/8, [::1]) are allowed",
          opts.target);
    }
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    return sizeof *v6;
  }
  die("invalid --target '%s': the host must be a loopback IP address such as 127.0.0.1 or "
      "[::1]; host names are not resolved", opts.target);
  return 0;
}

static void read_request(void) {
  FILE *file = fopen(opts.request_file, "rb");
  if (!file) die("cannot open --request '%s': %s", opts.request_file, strerror(errno));
  struct stat info;
  if (fstat(fileno(file), &info) != 0) die("cannot stat '%s': %s", opts.request_file,
                                           strerror(errno));
  request_length = (size_t)info.st_size;
  request_body = malloc(request_length > 0 ? request_length : 1);
  if (fread(request_body, 1, request_length, file) != request_length) {
    die("cannot read --request '%s'", opts.request_file);
  }
  fclose(file);
  if (request_length < 5) {
    die("invalid --request '%s': %zu bytes, shorter than the 5-byte gRPC message prefix",
        opts.request_file, request_length);
  }
  uint32_t message_length = (uint32_t)request_body[1] << 24 | (uint32_t)request_body[2] << 16 |
                            (uint32_t)request_body[3] << 8 | request_body[4];
  if (message_length != request_length - 5) {
    die("invalid --request '%s': its gRPC prefix gives a message of %" PRIu32 " bytes but %zu "
        "follow; write the flag byte, the 4-byte big-endian length and the message",
        opts.request_file, message_length, request_length - 5);
  }
}

static nghttp2_nv make_header(const char *name, size_t name_length, const char *value,
                              size_t value_length) {
  nghttp2_nv header = {(uint8_t *)name, (uint8_t *)value, name_length, value_length,
                       NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE};
  return header;
}

#define LITERAL_HEADER(name, value) make_header(name, sizeof name - 1, value, sizeof value - 1)

// Builds the request headers once; nghttp2 does not copy them, so they live for the whole run.
static void build_headers(void) {
  snprintf(authority, sizeof authority, "%s", opts.target);
  request_headers[0] = LITERAL_HEADER(":method", "POST");
  request_headers[1] = LITERAL_HEADER(":scheme", "http");
  request_headers[2] = make_header(":path", 5, opts.path, strlen(opts.path));
  request_headers[3] = make_header(":authority", 10, authority, strlen(authority));
  request_headers[4] = LITERAL_HEADER("content-type", "application/grpc");
  request_headers[5] = LITERAL_HEADER("te", "trailers");
  request_header_count = 6;
  for (int i = 0; i < opts.header_count; i++) {
    char *line = strdup(opts.header_lines[i]);
    char *colon = strchr(line, ':');
    if (!colon || colon == line) {
      die("invalid --header '%s': expected 'name: value'", opts.header_lines[i]);
    }
    *colon = '\0';
    char *value = colon + 1;
    while (*value == ' ' || *value == '\t') value++;
    for (char *c = line; *c; c++) {
      if (*c >= 'A' && *c <= 'Z') *c = (char)(*c - 'A' + 'a');
      if (*c == ' ' || *c == '\t') die("invalid --header '%s': the name contains a space",
                                       opts.header_lines[i]);
    }
    request_headers[request_header_count++] =
      make_header(line, strlen(line), value, strlen(value));
  }
}

static ssize_t read_body(nghttp2_session *session, int32_t stream_id, uint8_t *buffer,
                         size_t length, uint32_t *data_flags, nghttp2_data_source *source,
                         void *user_data) {
  (void)session;
  (void)source;
  (void)user_data;
  call *record = nghttp2_session_get_stream_user_data(session, stream_id);
  size_t remaining = request_length - record->body_offset;
  size_t count = remaining < length ? remaining : length;
  memcpy(buffer, request_body + record->body_offset, count);
  record->body_offset += count;
  if (record->body_offset == request_length) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
  return (ssize_t)count;
}

static int parse_status(const uint8_t *value, size_t length) {
  int status = 0;
  if (length == 0) return -2;
  for (size_t i = 0; i < length; i++) {
    if (value[i] < '0' || value[i] > '9') return -2;
    status = status * 10 + (value[i] - '0');
  }
  return status;
}

static int on_header(nghttp2_session *session, const nghttp2_frame *frame, const uint8_t *name,
                     size_t name_length, const uint8_t *value, size_t value_length,
                     uint8_t flags, void *user_data) {
  (void)flags;
  (void)user_data;
  if (frame->hd.type != NGHTTP2_HEADERS) return 0;
  call *record = nghttp2_session_get_stream_user_data(session, frame->hd.stream_id);
  if (!record) return 0;
  if (name_length == 7 && memcmp(name, ":status", 7) == 0) {
    record->http_status = parse_status(value, value_length);
  } else if (name_length == 11 && memcmp(name, "grpc-status", 11) == 0) {
    record->grpc_status = parse_status(value, value_length);
  }
  return 0;
}

static void record_latency(int64_t latency) {
  if (fig.latency_count == fig.latency_capacity) {
    fig.latency_capacity = fig.latency_capacity ? fig.latency_capacity * 2 : 1 << 16;
    fig.latencies = realloc(fig.latencies, fig.latency_capacity * sizeof *fig.latencies);
    if (!fig.latencies) die("out of memory for %zu latencies", fig.latency_capacity);
  }
  fig.latencies[fig.latency_count++] = latency;
}

static int on_stream_close(nghttp2_session *session, int32_t stream_id, uint32_t error_code,
                           void *user_data) {
  connection *conn = user_data;
  call *record = nghttp2_session_get_stream_user_data(session, stream_id);
  if (!record) return 0;
  if (record->measured) {
    int64_t closed = now_ns();
    record_latency(closed - record->scheduled_ns);
    fig.last_measured_close_ns = closed;
    if (error_code != NGHTTP2_NO_ERROR) {
      fig.stream_resets++;
    } else if (record->http_status != 200) {
      fig.http_status_failures++;
      fig.last_http_status = record->http_status;
    } else if (record->grpc_status < 0) {
      fig.grpc_status_missing++;
    } else if (record->grpc_status != 0) {
      int code = record->grpc_status < grpc_status_codes ? record->grpc_status : 2;
      fig.grpc_status_failures[code]++;
    }
  }
  record->next_free = conn->free_calls;
  conn->free_calls = record;
  conn->outstanding--;
  return 0;
}

static void open_connection(connection *conn, const struct sockaddr_storage *address,
                            socklen_t address_length, nghttp2_session_callbacks *callbacks) {
  conn->fd = socket(address->ss_family, SOCK_STREAM, 0);
  if (conn->fd < 0) die("socket failed: %s", strerror(errno));
  if (connect(conn->fd, (const struct sockaddr *)address, address_length) != 0) {
    die("cannot connect to %s: %s", opts.target, strerror(errno));
  }
  int one = 1;
  setsockopt(conn->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fcntl(conn->fd, F_SETFL, fcntl(conn->fd, F_GETFL) | O_NONBLOCK);

  if (nghttp2_session_client_new(&conn->session, callbacks, conn) != 0) {
    die("nghttp2_session_client_new failed");
  }
  nghttp2_settings_entry settings[] = {
    {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
    {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1 << 24},
  };
  nghttp2_submit_settings(conn->session, NGHTTP2_FLAG_NONE, settings,
                          sizeof settings / sizeof settings[0]);
  // A large connection window means few WINDOW_UPDATE frames for the responses.
  nghttp2_session_set_local_window_size(conn->session, NGHTTP2_FLAG_NONE, 0, 1 << 30);

  conn->calls = calloc((size_t)opts.max_outstanding, sizeof *conn->calls);
  if (!conn->calls) die("out of memory for %d calls", opts.max_outstanding);
  for (int i = opts.max_outstanding - 1; i >= 0; i--) {
    conn->calls[i].next_free = conn->free_calls;
    conn->free_calls = &conn->calls[i];
  }
  conn->out_capacity = write_batch_size * 2;
  conn->out = malloc(conn->out_capacity);
}

static void append_output(connection *conn, const uint8_t *data, size_t length) {
  if (conn->out_length + length > conn->out_capacity) {
    while (conn->out_length + length > conn->out_capacity) conn->out_capacity *= 2;
    conn->out = realloc(conn->out, conn->out_capacity);
    if (!conn->out) die("out of memory for the write buffer of connection %d", conn->index);
  }
  memcpy(conn->out + conn->out_length, data, length);
  conn->out_length += length;
}

// Collects the frames nghttp2 has ready and writes them with one write call. Bytes the socket
// does not take stay in conn->out for the next turn.
static void flush(connection *conn) {
  while (conn->out_length < write_batch_size) {
    const uint8_t *data;
    ssize_t length = nghttp2_session_mem_send(conn->session, &data);
    if (length < 0) die("nghttp2_session_mem_send failed on connection %d: %s", conn->index,
                        nghttp2_strerror((int)length));
    if (length == 0) break;
    append_output(conn, data, (size_t)length);
  }
  if (conn->out_length == 0) return;
  ssize_t written = write(conn->fd, conn->out, conn->out_length);
  fig.writes++;
  if (written < 0) {
    if (errno == EAGAIN || errno == EINTR) return;
    die("write to connection %d failed: %s", conn->index, strerror(errno));
  }
  memmove(conn->out, conn->out + written, conn->out_length - (size_t)written);
  conn->out_length -= (size_t)written;
}

static void receive(connection *conn) {
  static uint8_t buffer[read_buffer_size];
  for (;;) {
    ssize_t count = read(conn->fd, buffer, sizeof buffer);
    fig.reads++;
    if (count < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      die("read from connection %d failed: %s", conn->index, strerror(errno));
    }
    if (count == 0) {
      die("the server closed connection %d with %d calls outstanding", conn->index,
          conn->outstanding);
    }
    ssize_t used = nghttp2_session_mem_recv(conn->session, buffer, (size_t)count);
    if (used < 0) die("nghttp2_session_mem_recv failed on connection %d: %s", conn->index,
                      nghttp2_strerror((int)used));
    if ((size_t)count < sizeof buffer) return;
  }
}

static void submit_call(connection *conn, int64_t scheduled, bool measured) {
  call *record = conn->free_calls;
  conn->free_calls = record->next_free;
  record->scheduled_ns = scheduled;
  record->body_offset = 0;
  record->http_status = -1;
  record->grpc_status = -1;
  record->measured = measured;
  nghttp2_data_provider body = {.read_callback = read_body};
  int32_t stream_id = nghttp2_submit_request(conn->session, NULL, request_headers,
                                             request_header_count, &body, record);
  if (stream_id < 0) die("nghttp2_submit_request failed on connection %d: %s", conn->index,
                         nghttp2_strerror(stream_id));
  conn->outstanding++;
}

static int compare_latency(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

// Nearest-rank percentile in microseconds of the sorted latencies.
static double percentile_us(double fraction) {
  if (fig.latency_count == 0) return 0;
  size_t rank = (size_t)(fraction * (double)fig.latency_count + 0.999999);
  if (rank < 1) rank = 1;
  if (rank > fig.latency_count) rank = fig.latency_count;
  return (double)fig.latencies[rank - 1] / 1000.0;
}

static void write_log(void) {
  FILE *log = fopen(opts.log_file, "w");
  if (!log) die("cannot write --log-file '%s': %s", opts.log_file, strerror(errno));
  for (size_t i = 0; i < fig.latency_count; i++) {
    fprintf(log, "%.1f\n", (double)fig.latencies[i] / 1000.0);
  }
  if (fclose(log) != 0) die("cannot write --log-file '%s': %s", opts.log_file, strerror(errno));
}

int main(int argc, char **argv) {
  parse_options(argc, argv);
  struct sockaddr_storage address;
  socklen_t address_length = parse_target(&address);
  read_request();
  build_headers();
  signal(SIGPIPE, SIG_IGN);
  // The default timer slack of 50 us would delay every wake-up by up to that much.
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);

  nghttp2_session_callbacks *callbacks;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, on_stream_close);

  int count = opts.connections;
  connection *conns = calloc((size_t)count, sizeof *conns);
  struct pollfd *polls = calloc((size_t)count, sizeof *polls);
  for (int i = 0; i < count; i++) {
    conns[i].index = i;
    open_connection(&conns[i], &address, address_length, callbacks);
    polls[i].fd = conns[i].fd;
  }

  // Call k is due at start + k * 1e9 / rate ns; calls from first_measured on are measured.
  uint64_t total = (uint64_t)(opts.rate * (opts.warmup + opts.duration) + 0.5);
  uint64_t first_measured = (uint64_t)(opts.rate * opts.warmup + 0.5);
  double interval_ns = 1e9 / opts.rate;
  int64_t start = now_ns() + 1000000;  // 1 ms to settle the HTTP/2 settings exchange
  int64_t schedule_end = start + (int64_t)((double)total * interval_ns);
  int64_t window_start = start + (int64_t)((double)first_measured * interval_ns);
  uint64_t next = 0;
  int64_t next_due = start;
  bool window_open = false;
  int64_t user_start = 0, system_start = 0;
  bool schedule_over = false;
  uint64_t not_sent = 0;
  int64_t drain_deadline = 0;
  uint64_t outstanding_total = 0;
  int64_t tick_ns = (int64_t)(opts.tick_us * 1000);
  int64_t last_wake = 0;

  for (;;) {
    int64_t now = now_ns();
    if (!window_open && now >= window_start) {
      window_open = true;
      cpu_ns(&user_start, &system_start);
      fig.polls = fig.writes = fig.reads = 0;
    }
    while (!schedule_over && next < total && next_due <= now) {
      connection *conn = &conns[next % (uint64_t)count];
      if (conn->outstanding >= opts.max_outstanding) break;
      bool measured = next >= first_measured;
      if (measured) {
        fig.measured_started++;
        if (now - next_due > late_start_ns) fig.late_starts++;
      }
      submit_call(conn, next_due, measured);
      next++;
      next_due = start + (int64_t)((double)next * interval_ns);
    }
    outstanding_total = 0;
    for (int i = 0; i < count; i++) {
      flush(&conns[i]);
      outstanding_total += (uint64_t)conns[i].outstanding;
      polls[i].events = POLLIN | (conns[i].out_length > 0 ? POLLOUT : 0);
    }
    if (!schedule_over && (next >= total || now >= schedule_end)) {
      schedule_over = true;
      not_sent = total - next;
      drain_deadline = now + drain_ns;
    }
    if (schedule_over && (outstanding_total == 0 || now >= drain_deadline)) break;

    int64_t deadline;
    if (schedule_over) {
      deadline = drain_deadline;
    } else if (conns[next % (uint64_t)count].outstanding < opts.max_outstanding) {
      deadline = next_due;
      if (deadline < last_wake + tick_ns) deadline = last_wake + tick_ns;
    } else {
      deadline = schedule_end;  // waits for a response to free a slot
    }
    int64_t wait = deadline - now_ns();
    if (wait < 0) wait = 0;
    struct timespec timeout = {wait / 1000000000, wait % 1000000000};
    int ready = ppoll(polls, (nfds_t)count, &timeout, NULL);
    if (ready == 0) last_wake = now_ns();
    fig.polls++;
    if (ready < 0 && errno != EINTR) die("ppoll failed: %s", strerror(errno));
    for (int i = 0; ready > 0 && i < count; i++) {
      if (polls[i].revents & (POLLIN | POLLHUP | POLLERR)) receive(&conns[i]);
    }
  }
  int64_t user_end, system_end;
  cpu_ns(&user_end, &system_end);
  int64_t user_used = user_end - user_start, system_used = system_end - system_start;
  int64_t cpu_used = user_used + system_used;

  if (opts.log_file) write_log();
  qsort(fig.latencies, fig.latency_count, sizeof *fig.latencies, compare_latency);
  uint64_t grpc_failures = 0;
  for (int code = 0; code < grpc_status_codes; code++) {
    grpc_failures += fig.grpc_status_failures[code];
  }
  uint64_t failures = fig.http_status_failures + grpc_failures + fig.grpc_status_missing +
                      fig.stream_resets;
  double window_seconds = opts.duration;
  if (fig.last_measured_close_ns > window_start) {
    double until_last = (double)(fig.last_measured_close_ns - window_start) / 1e9;
    if (until_last > window_seconds) window_seconds = until_last;
  }
  uint64_t measured_not_sent = not_sent;
  if (measured_not_sent > total - first_measured) measured_not_sent = total - first_measured;

  printf("schedule: %.0f calls/s over %d connections, at most %d outstanding each, "
         "%.1f s warmup + %.1f s measured\n", opts.rate, count, opts.max_outstanding,
         opts.warmup, opts.duration);
  printf("calls sent: %" PRIu64 ", %" PRIu64 " of them in the warmup\n", next,
         next < first_measured ? next : first_measured);
  printf("calls measured: %zu completed, %.0f calls/s\n", fig.latency_count,
         (double)fig.latency_count / window_seconds);
  printf("failures: %" PRIu64 " (HTTP status not 200: %" PRIu64 ", grpc-status nonzero: %"
         PRIu64 ", grpc-status missing: %" PRIu64 ", stream reset: %" PRIu64 ")\n", failures,
         fig.http_status_failures, grpc_failures, fig.grpc_status_missing, fig.stream_resets);
  if (fig.http_status_failures > 0) printf("  last HTTP status: %d\n", fig.last_http_status);
  for (int code = 1; code < grpc_status_codes; code++) {
    if (fig.grpc_status_failures[code] > 0) {
      printf("  grpc-status %d: %" PRIu64 "\n", code, fig.grpc_status_failures[code]);
    }
  }
  printf("late starts: %" PRIu64 " of %" PRIu64 " measured calls started more than 100 us "
         "after schedule\n", fig.late_starts, fig.measured_started);
  printf("outstanding at the end: %" PRIu64 " (after waiting up to 1 s), not sent: %" PRIu64
         "\n", outstanding_total, measured_not_sent);
  printf("latency us: p50 %.1f, p90 %.1f, p99 %.1f, p999 %.1f, max %.1f\n", percentile_us(0.50),
         percentile_us(0.90), percentile_us(0.99), percentile_us(0.999), percentile_us(1.0));
  double calls = fig.latency_count ? (double)fig.latency_count : 1;
  printf("client CPU per call us: %.2f (user %.2f, system %.2f; %.2f s over %zu calls)\n",
         (double)cpu_used / 1000.0 / calls, (double)user_used / 1000.0 / calls,
         (double)system_used / 1000.0 / calls, (double)cpu_used / 1e9, fig.latency_count);
  printf("client system calls per call: ppoll %.2f, write %.2f, read %.2f\n",
         (double)fig.polls / calls, (double)fig.writes / calls, (double)fig.reads / calls);

  for (int i = 0; i < count; i++) {
    nghttp2_session_del(conns[i].session);
    close(conns[i].fd);
  }
  nghttp2_session_callbacks_del(callbacks);
  return 0;
}
