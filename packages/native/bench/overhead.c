// C baseline for bench/overhead.mjs: the same loops as the JavaScript side, with
// nothing between the program and the system call, so that JS/C is the binding's
// overhead. Prints one JSON line per operation (times in microseconds).
//
//   overhead DIR [DURABLE_N [CHEAP_N [--samples]]]
//
// DURABLE_N calls are timed one by one (they take ~100 µs, a clock read is ~20 ns).
// Cheap calls (~0.3 µs) are timed in batches of BATCH calls, CHEAP_N batches, and a
// sample is the batch time / BATCH: a clock read costs a tenth of such a call in C and
// more in JS, so timing each call would partly compare the two languages' clocks.
// --samples adds every sample to the output, so the caller can merge rounds.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

enum { PAGES = 512, BATCH = 100 };  // 2 MiB file; per-op page ranges below never overlap

static long page;
static unsigned char* base;
static int fd;
static unsigned counter;

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void die(const char* what) {
  perror(what);
  exit(1);
}

// Dirties `pages` pages from page `first`: one byte each is enough, the kernel tracks
// dirtiness per page (msync write-protects a page again, so each write faults anew).
static void dirty(int first, int pages) {
  for (int i = 0; i < pages; i++) base[(first + i) * page] = (unsigned char)++counter;
}

static void sync_range(int first, int pages, int flags) {
  if (msync(base + first * page, pages * page, flags) != 0) die("msync");
}

static unsigned char residency[256];

// prep_* runs untimed before each timed op_*; the cheap ops make BATCH calls per sample.
static void op_msync_1(void) { sync_range(0, 1, MS_SYNC); }
static void prep_msync_1(void) { dirty(0, 1); }
static void op_msync_16(void) { sync_range(16, 16, MS_SYNC); }
static void prep_msync_16(void) { dirty(16, 16); }
static void op_msync_clean(void) { sync_range(64, 1, MS_SYNC); }
static void op_fdatasync(void) {
  if (fdatasync(fd) != 0) die("fdatasync");
}
static void prep_fdatasync(void) { dirty(128, 1); }
static void op_msync_async(void) {
  for (int i = 0; i < BATCH; i++) sync_range(0, 1, MS_ASYNC);
}
static void op_mincore(void) {
  for (int i = 0; i < BATCH; i++)
    if (mincore(base, 256 * page, residency) != 0) die("mincore");
}

static int by_value(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

// Nearest-rank percentile of sorted samples: the smallest value with at least p% of
// the samples at or below it, i.e. sorted[ceil(p * n / 100) - 1].
static double percentile(const double* sorted, int n, int p) {
  return sorted[((long)p * n + 99) / 100 - 1];
}

static void run(const char* name, void (*prep)(void), void (*op)(void), int n, int per_sample,
                int with_samples) {
  double* samples = malloc(n * sizeof *samples);
  if (samples == NULL) die("malloc");
  // Warm-up: first touches, extent conversion after fallocate, cold caches.
  for (int i = 0; i < 20; i++) {
    if (prep) prep();
    op();
  }
  for (int i = 0; i < n; i++) {
    if (prep) prep();
    double t0 = now_us();
    op();
    samples[i] = (now_us() - t0) / per_sample;
  }
  printf("{\"op\":\"%s\",\"n\":%d,\"callsPerSample\":%d", name, n, per_sample);
  if (with_samples) {
    printf(",\"samples\":[");
    for (int i = 0; i < n; i++) printf(i ? ",%.4f" : "%.4f", samples[i]);
    printf("]");
  }
  double sum = 0;
  for (int i = 0; i < n; i++) sum += samples[i];
  qsort(samples, n, sizeof *samples, by_value);
  printf(",\"p50\":%.4f,\"p99\":%.4f,\"mean\":%.4f}\n", percentile(samples, n, 50),
         percentile(samples, n, 99), sum / n);
  fflush(stdout);
  free(samples);
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DIR [DURABLE_N [CHEAP_N [--samples]]]\n", argv[0]);
    return 2;
  }
  int durable_n = argc > 2 ? atoi(argv[2]) : 2000;
  int cheap_n = argc > 3 ? atoi(argv[3]) : 2000;
  int with_samples = argc > 4 && strcmp(argv[4], "--samples") == 0;
  if (durable_n < 1 || cheap_n < 1) {
    fprintf(stderr, "iteration counts must be positive\n");
    return 2;
  }

  page = sysconf(_SC_PAGESIZE);
  char path[4096];
  snprintf(path, sizeof path, "%s/c-overhead.dat", argv[1]);
  fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) die(path);
  // Preallocated, so a mapped write never allocates blocks (or raises SIGBUS on ENOSPC).
  int rc = posix_fallocate(fd, 0, PAGES * page);
  if (rc != 0) {
    fprintf(stderr, "posix_fallocate: %s\n", strerror(rc));
    return 1;
  }
  base = mmap(NULL, PAGES * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) die("mmap");
  // Write every page once and flush: later writes hit written extents, as in steady state.
  memset(base, 1, PAGES * page);
  sync_range(0, PAGES, MS_SYNC);

  // The keys match the operations of overhead.mjs.
  run("msync-sync-1", prep_msync_1, op_msync_1, durable_n, 1, with_samples);
  run("msync-sync-16", prep_msync_16, op_msync_16, durable_n, 1, with_samples);
  run("msync-sync-clean", NULL, op_msync_clean, durable_n, 1, with_samples);
  run("fdatasync-1", prep_fdatasync, op_fdatasync, durable_n, 1, with_samples);
  run("msync-async-1", NULL, op_msync_async, cheap_n, BATCH, with_samples);
  run("mincore-256", NULL, op_mincore, cheap_n, BATCH, with_samples);

  munmap(base, PAGES * page);
  close(fd);
  unlink(path);
  return 0;
}
