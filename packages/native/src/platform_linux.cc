// Linux implementation of platform.h: raw syscalls, errno turned into a return value.
#include "platform.h"

#include <cerrno>
#include <climits>
#include <ctime>
#include <fcntl.h>
#include <linux/futex.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace mapsync::platform {

namespace {
inline int Status(int rc) { return rc == -1 ? -errno : rc; }

// Retries a call interrupted by a signal: durability calls must not fail with EINTR
// just because the process received SIGCHLD or similar.
template <typename F>
int Retrying(F call) {
  int rc;
  do {
    rc = call();
  } while (rc == -1 && errno == EINTR);
  return Status(rc);
}
}  // namespace

long PageSize() { return sysconf(_SC_PAGESIZE); }

int Map(int fd, size_t length, int64_t offset, int prot, int flags, void** out) {
  void* addr = mmap(nullptr, length, prot, flags, fd, static_cast<off_t>(offset));
  if (addr == MAP_FAILED) return -errno;
  *out = addr;
  return 0;
}

int Unmap(void* addr, size_t length) { return Status(munmap(addr, length)); }

int Remap(void* addr, size_t old_length, size_t new_length, bool may_move, void** out) {
  void* moved = mremap(addr, old_length, new_length, may_move ? MREMAP_MAYMOVE : 0);
  if (moved == MAP_FAILED) return -errno;
  *out = moved;
  return 0;
}

int SyncRange(void* addr, size_t length, int flags) {
  return Retrying([&] { return msync(addr, length, flags); });
}

int SyncFile(int fd) {
  return Retrying([&] { return fsync(fd); });
}

int SyncFileData(int fd) {
  return Retrying([&] { return fdatasync(fd); });
}

int WriteAt(int fd, const uint8_t* src, size_t length, int64_t position, bool datasync) {
  size_t done = 0;
  while (done < length) {
    ssize_t n = pwrite(fd, src + done, length - done, static_cast<off_t>(position) + done);
    if (n == -1 && errno == EINTR) continue;
    if (n == -1) return -errno;
    // A regular file accepts at least one byte or fails; never spin on a zero.
    if (n == 0) return -EIO;
    done += static_cast<size_t>(n);
  }
  return datasync ? SyncFileData(fd) : 0;
}

int Allocate(int fd, int mode, int64_t offset, int64_t length) {
  return Retrying([&] {
    return fallocate(fd, mode, static_cast<off_t>(offset), static_cast<off_t>(length));
  });
}

int AdviseFile(int fd, int64_t offset, int64_t length, int advice) {
  // posix_fadvise returns the error number instead of setting errno.
  return -posix_fadvise(fd, static_cast<off_t>(offset), static_cast<off_t>(length), advice);
}

int LockFile(int fd, int operation) {
  return Retrying([&] { return flock(fd, operation | LOCK_NB); });
}

int Advise(void* addr, size_t length, int advice) {
  return Status(madvise(addr, length, advice));
}

int Residency(void* addr, size_t length, unsigned char* pages_out) {
  return Status(mincore(addr, length, pages_out));
}

int Lock(void* addr, size_t length) { return Status(mlock(addr, length)); }
int Unlock(void* addr, size_t length) { return Status(munlock(addr, length)); }

int FutexWait(uint32_t* word, uint32_t expected, int64_t timeout_ns) {
  struct timespec ts;
  struct timespec* tsp = nullptr;
  if (timeout_ns >= 0) {
    ts.tv_sec = static_cast<time_t>(timeout_ns / 1000000000);
    ts.tv_nsec = static_cast<long>(timeout_ns % 1000000000);
    tsp = &ts;
  }
  long rc = syscall(SYS_futex, word, FUTEX_WAIT, expected, tsp, nullptr, 0);
  return rc == -1 ? -errno : 0;
}

int FutexWake(uint32_t* word, int count) {
  long rc = syscall(SYS_futex, word, FUTEX_WAKE, count, nullptr, nullptr, 0);
  return rc == -1 ? -errno : static_cast<int>(rc);
}

int64_t MonotonicNanos() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

int OpenFifo(const char* path, int mode, int* fd_out) {
  bool created = mkfifo(path, static_cast<mode_t>(mode)) == 0;
  if (!created && errno != EEXIST) return -errno;
  int fd = Retrying([&] { return open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC); });
  if (fd < 0) return fd;
  struct stat st;
  if (fstat(fd, &st) == -1 || !S_ISFIFO(st.st_mode)) {
    close(fd);
    return -EINVAL;
  }
  // The mode exactly, not narrowed by this process's umask: other processes (perhaps
  // of other users) are the ones meant to ring it.
  if (created && fchmod(fd, static_cast<mode_t>(mode)) == -1) {
    int error = errno;
    close(fd);
    return -error;
  }
  *fd_out = fd;
  return 0;
}

int RingFifo(int fd) {
  const char byte = 1;
  return Retrying([&] { return static_cast<int>(write(fd, &byte, 1)); });
}

int DrainFifo(int fd) {
  char buf[256];
  int total = 0;
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      total += static_cast<int>(n);
      // A pipe's read returns all it holds up to the size asked: less means empty.
      if (static_cast<size_t>(n) < sizeof buf) return total;
      continue;
    }
    if (n == -1 && errno == EINTR) continue;
    return total;
  }
}

int CloseFd(int fd) { return Status(close(fd)); }

std::vector<std::pair<const char*, int>> Constants() {
  std::vector<std::pair<const char*, int>> c = {
      {"PROT_READ", PROT_READ},
      {"PROT_WRITE", PROT_WRITE},
      {"MAP_SHARED", MAP_SHARED},
      {"MAP_PRIVATE", MAP_PRIVATE},
      {"MAP_POPULATE", MAP_POPULATE},
      {"MS_SYNC", MS_SYNC},
      {"MS_ASYNC", MS_ASYNC},
      {"MS_INVALIDATE", MS_INVALIDATE},
      {"FALLOC_FL_KEEP_SIZE", FALLOC_FL_KEEP_SIZE},
      {"FALLOC_FL_PUNCH_HOLE", FALLOC_FL_PUNCH_HOLE},
      {"FALLOC_FL_ZERO_RANGE", FALLOC_FL_ZERO_RANGE},
      {"POSIX_FADV_NORMAL", POSIX_FADV_NORMAL},
      {"POSIX_FADV_RANDOM", POSIX_FADV_RANDOM},
      {"POSIX_FADV_SEQUENTIAL", POSIX_FADV_SEQUENTIAL},
      {"POSIX_FADV_WILLNEED", POSIX_FADV_WILLNEED},
      {"POSIX_FADV_DONTNEED", POSIX_FADV_DONTNEED},
      {"LOCK_SH", LOCK_SH},
      {"LOCK_EX", LOCK_EX},
      {"LOCK_UN", LOCK_UN},
      {"MADV_NORMAL", MADV_NORMAL},
      {"MADV_RANDOM", MADV_RANDOM},
      {"MADV_SEQUENTIAL", MADV_SEQUENTIAL},
      {"MADV_WILLNEED", MADV_WILLNEED},
      {"MADV_DONTNEED", MADV_DONTNEED},
      {"MADV_REMOVE", MADV_REMOVE},
      {"MADV_DONTFORK", MADV_DONTFORK},
      {"MADV_DOFORK", MADV_DOFORK},
      {"MADV_MERGEABLE", MADV_MERGEABLE},
      {"MADV_UNMERGEABLE", MADV_UNMERGEABLE},
      {"MADV_HUGEPAGE", MADV_HUGEPAGE},
      {"MADV_NOHUGEPAGE", MADV_NOHUGEPAGE},
      {"MADV_DONTDUMP", MADV_DONTDUMP},
      {"MADV_DODUMP", MADV_DODUMP},
#ifdef MADV_FREE
      {"MADV_FREE", MADV_FREE},
#endif
#ifdef MADV_WIPEONFORK
      {"MADV_WIPEONFORK", MADV_WIPEONFORK},
      {"MADV_KEEPONFORK", MADV_KEEPONFORK},
#endif
#ifdef MADV_COLD
      {"MADV_COLD", MADV_COLD},
      {"MADV_PAGEOUT", MADV_PAGEOUT},
#endif
#ifdef MADV_POPULATE_READ
      {"MADV_POPULATE_READ", MADV_POPULATE_READ},
      {"MADV_POPULATE_WRITE", MADV_POPULATE_WRITE},
#endif
  };
  return c;
}

}  // namespace mapsync::platform
