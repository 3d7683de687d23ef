/*
 * skewctl [OFFSET_MS]: sets (or, without an argument, prints) the wall-clock offset that the
 * lockbench skew shim applies to every process in this container. The value is one int64 of
 * nanoseconds written in place, so processes that already mapped the file see it at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SKEW_DIR "/run/lockbench"
#define SKEW_FILE SKEW_DIR "/skew"

int main(int argc, char **argv) {
  mkdir(SKEW_DIR, 0755);
  int fd = open(SKEW_FILE, O_RDWR | O_CREAT, 0644);
  if (fd < 0 || ftruncate(fd, sizeof(int64_t)) != 0) {
    fprintf(stderr, "skewctl: %s: %s\n", SKEW_FILE, strerror(errno));
    return 1;
  }
  int64_t ns = 0;
  if (argc > 1) {
    char *end = NULL;
    long long ms = strtoll(argv[1], &end, 10);
    if (end == argv[1] || *end != '\0') {
      fprintf(stderr, "skewctl: offset must be an integer number of milliseconds, got '%s'\n", argv[1]);
      return 2;
    }
    ns = (int64_t)ms * 1000000LL;
    if (pwrite(fd, &ns, sizeof ns, 0) != (ssize_t)sizeof ns) {
      fprintf(stderr, "skewctl: write failed: %s\n", strerror(errno));
      return 1;
    }
  } else if (pread(fd, &ns, sizeof ns, 0) != (ssize_t)sizeof ns) {
    ns = 0;
  }
  printf("%lld\n", (long long)(ns / 1000000LL));
  return 0;
}
