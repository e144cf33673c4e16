// The operating-system calls this addon makes, behind one small interface.
// Each platform implements it in one file (platform_linux.cc today; macOS would use
// msync + F_FULLFSYNC, Windows FlushViewOfFile + FlushFileBuffers). Every function
// returns 0 (or a non-negative count) on success and a negative errno on failure, so
// the N-API layer never reads errno itself and TypeScript turns codes into errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace mapsync::platform {

long PageSize();

int Map(int fd, size_t length, int64_t offset, int prot, int flags, void** out);
int Unmap(void* addr, size_t length);
// Grows or shrinks a mapping; with may_move the kernel may place it elsewhere.
int Remap(void* addr, size_t old_length, size_t new_length, bool may_move, void** out);

int SyncRange(void* addr, size_t length, int flags);
int SyncFile(int fd);
int SyncFileData(int fd);
// pwrite(2) of all `length` bytes from `src` at `position`, resuming after short writes
// and signals; then fdatasync(2) when `datasync`. 0, or the first call's -errno.
int WriteAt(int fd, const uint8_t* src, size_t length, int64_t position, bool datasync);
int Allocate(int fd, int mode, int64_t offset, int64_t length);
// posix_fadvise: e.g. POSIX_FADV_DONTNEED drops the file's clean cached pages.
int AdviseFile(int fd, int64_t offset, int64_t length, int advice);
// flock(2) with LOCK_NB always: -EWOULDBLOCK when another open file holds it.
int LockFile(int fd, int operation);

int Advise(void* addr, size_t length, int advice);
int Residency(void* addr, size_t length, unsigned char* pages_out);
int Lock(void* addr, size_t length);
int Unlock(void* addr, size_t length);

// Waits while *word == expected, at most timeout_ns (negative: no limit).
// Returns 0 when woken, -EAGAIN when the word differed, -ETIMEDOUT, or -EINTR.
// Shared (not FUTEX_PRIVATE) so processes mapping the same file meet on it.
int FutexWait(uint32_t* word, uint32_t expected, int64_t timeout_ns);
// Returns how many waiters were woken.
int FutexWake(uint32_t* word, int count);

int64_t MonotonicNanos();

// Doorbells: a FIFO (named pipe) one process rings by writing a byte and another
// waits on with the event loop's own poller. OpenFifo creates it (mode) if missing,
// never replaces it, and opens it read-write and non-blocking: read-write, so the open
// never waits for a peer and the pipe never reads end-of-file. A FIFO it creates gets
// exactly `mode` (no umask). -EINVAL if the path exists and is not a FIFO.
int OpenFifo(const char* path, int mode, int* fd_out);
// Writes one byte without blocking: 1, or -EAGAIN when the pipe is full (it is
// rung already).
int RingFifo(int fd);
// Reads everything buffered, without blocking; returns how many bytes it took.
int DrainFifo(int fd);
int CloseFd(int fd);

// Name/value pairs of the flags the TypeScript layer passes through (MS_SYNC, MADV_*...).
std::vector<std::pair<const char*, int>> Constants();

}  // namespace mapsync::platform
