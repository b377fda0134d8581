// Linux headers that Glibc's Swift module leaves out.
#pragma once
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>

/// The epoll event mask constants as plain integers, because Swift imports
/// the EPOLL_EVENTS enum with a type that does not combine with `uint32_t`.
static inline uint32_t clinux_epollin(void) { return EPOLLIN; }
static inline uint32_t clinux_epollout(void) { return EPOLLOUT; }
static inline uint32_t clinux_epollerr(void) { return EPOLLERR; }
static inline uint32_t clinux_epollhup(void) { return EPOLLHUP; }
static inline uint32_t clinux_epollrdhup(void) { return EPOLLRDHUP; }
static inline uint32_t clinux_epollexclusive(void) { return EPOLLEXCLUSIVE; }

/// accept4 is declared only under _GNU_SOURCE, which Glibc's Swift module does not set.
extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);

/// Accepts one connection as a non-blocking, close-on-exec socket; -1 with errno on failure.
static inline int clinux_accept_nonblocking(int fd) {
  return accept4(fd, (struct sockaddr *)0, (socklen_t *)0, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

#include <pthread.h>

/// Declared only under _GNU_SOURCE. Linux limits a thread name to 15 bytes.
extern int pthread_setname_np(pthread_t thread, const char *name);
extern int pthread_getname_np(pthread_t thread, char *name, size_t length);
