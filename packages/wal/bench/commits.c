/*
 * C baseline for the log's commits: append with pwrite() to a preallocated file,
 * then fdatasync(); one JSON line with every latency in µs.
 *   commits DIR COUNT RECORD_SIZE [BATCH] [WARMUP]
 * With BATCH > 1 each commit writes BATCH records at once (one pwrite of BATCH *
 * RECORD_SIZE bytes): what the disk allows when that many committers share a flush.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s DIR COUNT RECORD_SIZE [BATCH] [WARMUP]\n", argv[0]);
    return 2;
  }
  int count = atoi(argv[2]);
  int size = atoi(argv[3]) * (argc > 4 ? atoi(argv[4]) : 1);
  int warmup = argc > 5 ? atoi(argv[5]) : 20; /* untimed commits first */
  char path[4096];
  snprintf(path, sizeof path, "%s/c-commits.dat", argv[1]);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0 || posix_fallocate(fd, 0, (off_t)(count + warmup) * size) != 0 || fsync(fd) != 0) {
    perror("prepare");
    return 1;
  }
  char *record = malloc(size);
  memset(record, 'r', size);
  double *samples = malloc(sizeof(double) * count);
  off_t at = 0;
  for (int i = -warmup; i < count; i++) {
    record[0] = (char)i;
    double t0 = now_us();
    if (pwrite(fd, record, size, at) != size || fdatasync(fd) != 0) {
      perror("commit");
      return 1;
    }
    double t1 = now_us();
    at += size;
    if (i >= 0) samples[i] = t1 - t0;
  }
  printf("{\"op\":\"pwrite+fdatasync\",\"bytes\":%d,\"samples\":[", size);
  for (int i = 0; i < count; i++) printf(i ? ",%.3f" : "%.3f", samples[i]);
  printf("]}\n");
  close(fd);
  unlink(path);
  return 0;
}
