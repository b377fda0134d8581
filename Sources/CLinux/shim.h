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
