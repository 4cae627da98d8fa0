// How long a command's handler ran (commandstats, latency histograms, SLOWLOG, LATENCY): two clock
// reads around every command. clock_gettime costs about 25 ns in a VM, 6-7% of a pipelined SET's
// CPU, so where the kernel itself keeps time by the TSC (x86-64, clocksource "tsc": constant and
// synchronized across cores) the reads are rdtsc instead, converted to microseconds at a rate
// measured against the steady clock. Elsewhere they are steady-clock reads.
#pragma once

#include <cstdint>

namespace respd::server {

class CallTimer {
 public:
  // A point in time, in the timer's own unit.
  static uint64_t Start();
  // Whole microseconds from `start` to now.
  static uint64_t MicrosSince(uint64_t start);
};

}  // namespace respd::server
