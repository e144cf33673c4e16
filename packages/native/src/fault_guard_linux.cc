// The SIGBUS guard (Linux). Touching a mapped page past the end of its file — because
// another process truncated it, say — raises SIGBUS, which kills a Node.js process.
// For a fault inside one of our mappings, the handler maps a zero page over the
// faulting page so the access completes, and flags the mapping; the next call on it
// then fails with ETRUNCATED. Any other SIGBUS goes to the handler that was there
// before (by default: the process dies, exactly as without this guard).
//
// The handler only reads a fixed table of atomics and makes one mmap(2) system call;
// it allocates nothing and takes no lock.
#include "fault_guard.h"

#include <atomic>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <sys/mman.h>
#include <unistd.h>

namespace mapsync::platform {

namespace {

constexpr int kSlots = 4096;

struct GuardedRange {
  std::atomic<uintptr_t> start{0};  // 0: slot free
  std::atomic<uintptr_t> end{0};
  std::atomic<bool> faulted{false};
};

GuardedRange g_ranges[kSlots];
struct sigaction g_previous;
std::once_flag g_installed;
long g_page_size = 4096;

void ChainToPrevious(int signo, siginfo_t* info, void* context) {
  if (g_previous.sa_flags & SA_SIGINFO) {
    if (g_previous.sa_sigaction != nullptr) {
      g_previous.sa_sigaction(signo, info, context);
      return;
    }
  } else if (g_previous.sa_handler == SIG_IGN) {
    return;
  } else if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != nullptr) {
    g_previous.sa_handler(signo);
    return;
  }
  // Default action: restore it and let the fault happen again (or the signal be
  // delivered again), which terminates the process the usual way.
  signal(signo, SIG_DFL);
  if (info->si_code <= 0) raise(signo);
}

void OnSigbus(int signo, siginfo_t* info, void* context) {
  uintptr_t address = reinterpret_cast<uintptr_t>(info->si_addr);
  // Only real memory faults (si_code > 0), not a SIGBUS sent with kill(2).
  if (info->si_code > 0) {
    for (int i = 0; i < kSlots; i++) {
      uintptr_t start = g_ranges[i].start.load(std::memory_order_acquire);
      if (start == 0 || address < start) continue;
      if (address >= g_ranges[i].end.load(std::memory_order_acquire)) continue;
      uintptr_t page = address & ~static_cast<uintptr_t>(g_page_size - 1);
      void* zero = mmap(reinterpret_cast<void*>(page), static_cast<size_t>(g_page_size),
                        PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
      if (zero == MAP_FAILED) break;
      g_ranges[i].faulted.store(true, std::memory_order_release);
      return;
    }
  }
  ChainToPrevious(signo, info, context);
}

void Install() {
  g_page_size = sysconf(_SC_PAGESIZE);
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_sigaction = OnSigbus;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  sigaction(SIGBUS, &action, &g_previous);
}

}  // namespace

int GuardRange(void* addr, size_t length) {
  std::call_once(g_installed, Install);
  uintptr_t start = reinterpret_cast<uintptr_t>(addr);
  for (int i = 0; i < kSlots; i++) {
    uintptr_t expected = 0;
    // Claim the slot with a placeholder so no other thread takes it, then publish.
    if (!g_ranges[i].start.compare_exchange_strong(expected, UINTPTR_MAX)) continue;
    g_ranges[i].faulted.store(false);
    g_ranges[i].end.store(start + length, std::memory_order_release);
    g_ranges[i].start.store(start, std::memory_order_release);
    return i;
  }
  return -1;  // table full: this mapping is simply not guarded
}

void MoveGuardedRange(int slot, void* addr, size_t length) {
  if (slot < 0) return;
  uintptr_t start = reinterpret_cast<uintptr_t>(addr);
  g_ranges[slot].start.store(UINTPTR_MAX, std::memory_order_release);
  g_ranges[slot].end.store(start + length, std::memory_order_release);
  g_ranges[slot].start.store(start, std::memory_order_release);
}

void UnguardRange(int slot) {
  if (slot < 0) return;
  g_ranges[slot].end.store(0, std::memory_order_release);
  g_ranges[slot].start.store(0, std::memory_order_release);
}

bool RangeFaulted(int slot) {
  return slot >= 0 && g_ranges[slot].faulted.load(std::memory_order_acquire);
}

}  // namespace mapsync::platform
