/*
 * How much one msync(MS_SYNC) writes after a one-byte store into a shared mapping,
 * depending on how the file's page cache was filled. The kernel tracks dirtiness of
 * a mapped file per folio; with large folios in the page cache (recent kernels give
 * ext4 files filled with write() folios far larger than a page; this project's
 * machine runs 6.18), one dirty byte costs the write-back of the whole folio.
 * Reads the device's write counter from /sys/block/<dev>/stat.
 *   dirty-granularity DIR BLOCKDEV
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *stat_path;

static long sectors_written(void) {
  FILE *f = fopen(stat_path, "r");
  long v[11] = {0};
  for (int i = 0; f && i < 11; i++)
    if (fscanf(f, "%ld", &v[i]) != 1) break;
  if (f) fclose(f);
  return v[6];
}

enum fill { FALLOCATED, WRITTEN, WRITTEN_DROPPED, STORED, STORED_RANDOM };
static const char *names[] = {
    "fallocate()d",
    "filled with write()",
    "filled with write(), cache dropped, MADV_RANDOM",
    "fallocate()d, filled through the mapping",
    "fallocate()d, MADV_RANDOM, filled through the mapping",
};

static void run(const char *dir, enum fill how) {
  const size_t len = 1 << 20;
  char path[4096];
  snprintf(path, sizeof path, "%s/dirty-granularity.dat", dir);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) { perror("open"); exit(1); }
  if (how == FALLOCATED || how == STORED || how == STORED_RANDOM) {
    if (posix_fallocate(fd, 0, len) != 0) { perror("fallocate"); exit(1); }
  } else {
    char *zeros = calloc(1, len);
    if (pwrite(fd, zeros, len, 0) != (ssize_t)len) { perror("pwrite"); exit(1); }
    free(zeros);
  }
  fsync(fd);
  if (how == WRITTEN_DROPPED) posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (m == MAP_FAILED) { perror("mmap"); exit(1); }
  if (how == WRITTEN_DROPPED || how == STORED_RANDOM) madvise(m, len, MADV_RANDOM);
  if (how == STORED || how == STORED_RANDOM) {
    memset(m, 1, len);
    msync(m, len, MS_SYNC);
  }
  long total = 0;
  const int rounds = 8;
  for (int i = 0; i < rounds; i++) {
    long before = sectors_written();
    m[i * 4096 * 3] = 1;
    msync(m + i * 4096 * 3, 4096, MS_SYNC);
    total += sectors_written() - before;
  }
  printf("%-52s %6.1f KiB written per one-byte msync\n", names[how], total * 512.0 / 1024 / rounds);
  munmap(m, len);
  close(fd);
  unlink(path);
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: %s DIR BLOCKDEV (e.g. vda)\n", argv[0]); return 2; }
  static char buf[256];
  snprintf(buf, sizeof buf, "/sys/block/%s/stat", argv[2]);
  stat_path = buf;
  for (enum fill how = FALLOCATED; how <= STORED_RANDOM; how++) run(argv[1], how);
  return 0;
}
