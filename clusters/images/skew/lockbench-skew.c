/*
 * LD_PRELOAD shim that offsets a node's wall clock (CLOCK_REALTIME, gettimeofday, time) by the
 * signed nanosecond count stored in SKEW_FILE, and nothing else: monotonic clocks pass through.
 * libfaketime deadlocks Debian's Redis at start (its constructor recurses through jemalloc), so
 * this shim does no allocation and no work at load time. The offset file is mmapped once, so a
 * change made by skewctl is seen by the next clock read without a file read per call.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define SKEW_FILE "/run/lockbench/skew"

static volatile const int64_t *offset_ns_map;
static volatile int map_state; /* 0 not tried, 1 mapped, 2 unavailable */
static int (*real_clock_gettime)(clockid_t, struct timespec *);
static volatile int resolving;

static int64_t offset_ns(void) {
  if (map_state == 0) {
    int fd = open(SKEW_FILE, O_RDONLY | O_CLOEXEC);
    void *p = fd >= 0 ? mmap(NULL, sizeof(int64_t), PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
    if (fd >= 0) close(fd);
    if (p != MAP_FAILED) {
      offset_ns_map = p;
      map_state = 1;
    } else {
      map_state = 2;
    }
  }
  return map_state == 1 ? *offset_ns_map : 0;
}

static int base_clock_gettime(clockid_t clk, struct timespec *ts) {
  /* dlsym may allocate; an allocator that reads the clock while we resolve gets the raw syscall. */
  if (real_clock_gettime == NULL && !resolving) {
    resolving = 1;
    real_clock_gettime = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
    resolving = 0;
  }
  if (real_clock_gettime != NULL) return real_clock_gettime(clk, ts);
  return (int)syscall(SYS_clock_gettime, clk, ts);
}

int clock_gettime(clockid_t clk, struct timespec *ts) {
  int r = base_clock_gettime(clk, ts);
  if (r == 0 && (clk == CLOCK_REALTIME || clk == CLOCK_REALTIME_COARSE)) {
    int64_t ns = (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec + offset_ns();
    ts->tv_sec = ns / 1000000000LL;
    ts->tv_nsec = ns % 1000000000LL;
  }
  return r;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz) {
  (void)tz;
  struct timespec ts;
  int r = clock_gettime(CLOCK_REALTIME, &ts);
  if (r == 0 && tv != NULL) {
    tv->tv_sec = ts.tv_sec;
    tv->tv_usec = ts.tv_nsec / 1000;
  }
  return r;
}

time_t time(time_t *out) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  if (out != NULL) *out = ts.tv_sec;
  return ts.tv_sec;
}
