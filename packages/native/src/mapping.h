// One Mapping per mmap() call. It is shared (std::shared_ptr) by everything that may
// still touch the address: the JS handle, the ArrayBuffer's finalizer, and any
// operation running off the event loop. The address is unmapped exactly once: by
// unmap() when nothing is in flight, otherwise by the last in-flight operation, and
// by the destructor if JavaScript dropped every reference without unmapping.
#pragma once

#include <napi.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace mapsync {

struct Mapping {
  uint8_t* addr = nullptr;
  size_t length = 0;
  // JS-thread state: whether JS may still use the address, and how many async
  // operations (flushes, futex waits) hold it.
  bool open = true;
  int in_flight = 0;
  bool unmapped = false;
  // Slot in the SIGBUS guard's table (-1: not guarded).
  int guard_slot = -1;
  // Read by futex waiter threads: set when the mapping is closing so they stop waiting.
  std::atomic<bool> closing{false};
  // Words that waiter threads are blocked on, so unmap can wake them at once.
  std::mutex waits_mutex;
  std::vector<uint32_t*> waits;

  void WakeWaiters();

  ~Mapping();
  // Unmaps now if nothing is in flight; otherwise the last operation to finish does.
  int ReleaseIfIdle();
};

using MappingRef = std::shared_ptr<Mapping>;

// Status of a call refused because the SIGBUS guard absorbed a fault in the mapping
// (its file was truncated under it). Below -4095, so never a -errno. The TypeScript
// side (native.ts, STATUS_FAULTED) turns it into ETRUNCATED: checking in the call
// itself saves the hot paths a second crossing into the addon.
constexpr int kStatusFaulted = -4097;

// A Promise already settled with a status code, for calls refused before any work
// starts (defined in sync.cc). An empty value if the engine refuses (a worker thread
// being terminated).
Napi::Value Settled(Napi::Env env, int rc);

// Per add-on instance (the main thread and each worker thread get their own);
// defined in futex.cc, which owns the only threads this addon starts.
struct AddonState;
AddonState* NewAddonState(Napi::Env env);
void FreeAddonState(Napi::Env env, AddonState* state);

// Looks up the Mapping behind a handle made by map(); nullptr if it is not ours.
MappingRef* UnwrapMapping(Napi::Env env, Napi::Value handle);

// Marks an async operation as using the mapping; Done() must follow on the JS thread.
void BeginInFlight(const MappingRef& m);
void EndInFlight(const MappingRef& m);

void InitMapping(Napi::Env env, Napi::Object exports);
void InitSync(Napi::Env env, Napi::Object exports);
void InitFutex(Napi::Env env, Napi::Object exports);
void InitDoorbell(Napi::Env env, Napi::Object exports);
void InitCrc32c(Napi::Env env, Napi::Object exports);

}  // namespace mapsync
