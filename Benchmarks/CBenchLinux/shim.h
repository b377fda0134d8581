// Linux calls for the benchmark clients that Swift cannot import.
#pragma once
#include <sys/prctl.h>

/// Sets the calling thread's timer slack, in nanoseconds, with prctl(PR_SET_TIMERSLACK), which
/// Swift cannot call because prctl is variadic. Returns 0, or -1 with errno on failure.
static inline int cbenchlinux_set_timer_slack(unsigned long nanoseconds) {
  return prctl(PR_SET_TIMERSLACK, nanoseconds, 0UL, 0UL, 0UL);
}
