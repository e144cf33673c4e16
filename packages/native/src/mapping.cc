// map / unmap / remap, and the calls that act on a mapped range synchronously
// (madvise, mincore, mlock). Arguments were validated in TypeScript: offsets and
// lengths are inside the mapping and aligned where the kernel requires it.
#include "mapping.h"

#include "fault_guard.h"
#include "platform.h"

namespace mapsync {

namespace {

// Distinguishes our handles from any other External a caller could pass in.
constexpr napi_type_tag kMappingTag = {0x6d617073796e6301ULL, 0x6d617070696e6701ULL};

Napi::Value Errno(Napi::Env env, int rc) { return Napi::Number::New(env, rc); }

void FinalizeHandle(Napi::Env, MappingRef* ref) { delete ref; }

// The ArrayBuffer keeps the Mapping alive until V8 drops its backing store.
void FinalizeBuffer(Napi::Env, void*, MappingRef* ref) { delete ref; }

void DetachAll(Napi::Value buffers) {
  Napi::Array list = buffers.As<Napi::Array>();
  for (uint32_t i = 0; i < list.Length(); i++) list.Get(i).As<Napi::ArrayBuffer>().Detach();
}

// map(fd, length, offset, prot, flags) -> handle | -errno
Napi::Value MapFile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  size_t length = static_cast<size_t>(info[1].As<Napi::Number>().Int64Value());
  int64_t offset = info[2].As<Napi::Number>().Int64Value();
  int prot = info[3].As<Napi::Number>().Int32Value();
  int flags = info[4].As<Napi::Number>().Int32Value();

  void* addr = nullptr;
  int rc = platform::Map(fd, length, offset, prot, flags, &addr);
  if (rc < 0) return Errno(env, rc);

  auto m = std::make_shared<Mapping>();
  m->addr = static_cast<uint8_t*>(addr);
  m->length = length;
  m->guard_slot = platform::GuardRange(addr, length);
  auto handle = Napi::External<MappingRef>::New(env, new MappingRef(m), FinalizeHandle);
  napi_type_tag_object(env, handle, &kMappingTag);
  return handle;
}

// window(handle, offset, length) -> ArrayBuffer over [offset, offset + length) | -errno.
// TypeScript hands out windows that never overlap (one per fixed-size chunk) and
// keeps them, so no two ArrayBuffers cover the same byte; each window keeps the
// Mapping alive until V8 drops it.
Napi::Value Window(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MappingRef* ref = UnwrapMapping(env, info[0]);
  if (ref == nullptr || !(*ref)->open) return Errno(env, -EBADF);
  size_t offset = static_cast<size_t>(info[1].As<Napi::Number>().Int64Value());
  size_t length = static_cast<size_t>(info[2].As<Napi::Number>().Int64Value());
  return Napi::ArrayBuffer::New(env, (*ref)->addr + offset, length, FinalizeBuffer,
                                new MappingRef(*ref));
}

// unmap(handle, windows[]) -> 0 | -errno. Detaches every window first, so no view
// can reach the address after this returns, whatever happens to the munmap.
Napi::Value UnmapFile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MappingRef* ref = UnwrapMapping(env, info[0]);
  if (ref == nullptr || !(*ref)->open) return Errno(env, -EBADF);
  MappingRef m = *ref;
  m->open = false;
  m->closing.store(true);
  m->WakeWaiters();
  DetachAll(info[1]);
  return Errno(env, m->ReleaseIfIdle());
}

// remap(handle, windows[], newLength, mayMove) -> 0 | -errno.
// Every window is detached even when the address does not change, so stale views
// fail loudly; TypeScript asks for fresh windows afterwards.
Napi::Value RemapFile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MappingRef* ref = UnwrapMapping(env, info[0]);
  if (ref == nullptr || !(*ref)->open) return Errno(env, -EBADF);
  MappingRef m = *ref;
  // An in-flight flush or wait holds the old address; moving it underneath is refused.
  if (m->in_flight > 0) return Errno(env, -EBUSY);
  size_t new_length = static_cast<size_t>(info[2].As<Napi::Number>().Int64Value());
  bool may_move = info[3].As<Napi::Boolean>().Value();

  void* moved = nullptr;
  int rc = platform::Remap(m->addr, m->length, new_length, may_move, &moved);
  if (rc < 0) return Errno(env, rc);
  DetachAll(info[1]);

  // The old Mapping object stays with the old (detached) windows; the address now
  // belongs to a fresh Mapping so a late finalizer of the old one cannot unmap it.
  auto next = std::make_shared<Mapping>();
  next->addr = static_cast<uint8_t*>(moved);
  next->length = new_length;
  next->guard_slot = m->guard_slot;
  m->guard_slot = -1;
  platform::MoveGuardedRange(next->guard_slot, moved, new_length);
  m->open = false;
  m->unmapped = true;
  *ref = next;
  return Errno(env, 0);
}

// madvise(handle, offset, length, advice) -> 0 | -errno
Napi::Value Advise(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MappingRef* ref = UnwrapMapping(env, info[0]);
  if (ref == nullptr || !(*ref)->open) return Errno(env, -EBADF);
  size_t offset = static_cast<size_t>(info[1].As<Napi::Number>().Int64Value());
  size_t length = static_cast<size_t>(info[2].As<Napi::Number>().Int64Value());
  int advice = info[3].As<Napi::Number>().Int32Value();
  return Errno(env, platform::Advise((*ref)->addr + offset, length, advice));
}

// mincore(handle, offset, length, out: Uint8Array) -> 0 | -errno; out gets one byte
// per page, bit 0 set when the page is resident.
Napi::Value Residency(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MappingRef* ref = UnwrapMapping(env, info[0]);
  if (ref == nullptr || !(*ref)->open) return Errno(env, -EBADF);
  size_t offset = static_cast<size_t>(info[1].As<Napi::Number>().Int64Value());
  size_t length = static_cast<size_t>(info[2].As<Napi::Number>().Int64Value());
  Napi::Uint8Array out = info[3].As<Napi::Uint8Array>();
  return Errno(env, platform::Residency((*ref)->addr + offset, length, out.Data()));
}

// faulted(handle) -> whether the SIGBUS guard absorbed a fault in this mapping.
Napi::Value Faulted(const Napi::CallbackInfo& info) {
  MappingRef* ref = UnwrapMapping(info.Env(), info[0]);
  return Napi::Boolean::New(info.Env(), ref != nullptr && platform::RangeFaulted((*ref)->guard_slot));
}

template <int (*Call)(void*, size_t)>
Napi::Value RangeCall(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MappingRef* ref = UnwrapMapping(env, info[0]);
  if (ref == nullptr || !(*ref)->open) return Errno(env, -EBADF);
  size_t offset = static_cast<size_t>(info[1].As<Napi::Number>().Int64Value());
  size_t length = static_cast<size_t>(info[2].As<Napi::Number>().Int64Value());
  return Errno(env, Call((*ref)->addr + offset, length));
}

}  // namespace

Mapping::~Mapping() {
  platform::UnguardRange(guard_slot);
  if (!unmapped && addr != nullptr) platform::Unmap(addr, length);
}

int Mapping::ReleaseIfIdle() {
  if (open || unmapped || in_flight > 0) return 0;
  unmapped = true;
  platform::UnguardRange(guard_slot);
  guard_slot = -1;
  return platform::Unmap(addr, length);
}

MappingRef* UnwrapMapping(Napi::Env env, Napi::Value handle) {
  bool ours = false;
  if (!handle.IsExternal()) return nullptr;
  if (napi_check_object_type_tag(env, handle, &kMappingTag, &ours) != napi_ok || !ours) {
    return nullptr;
  }
  return handle.As<Napi::External<MappingRef>>().Data();
}

void BeginInFlight(const MappingRef& m) { m->in_flight++; }

void EndInFlight(const MappingRef& m) {
  m->in_flight--;
  m->ReleaseIfIdle();
}

void InitMapping(Napi::Env env, Napi::Object exports) {
  exports.Set("map", Napi::Function::New(env, MapFile, "map"));
  exports.Set("window", Napi::Function::New(env, Window, "window"));
  exports.Set("unmap", Napi::Function::New(env, UnmapFile, "unmap"));
  exports.Set("remap", Napi::Function::New(env, RemapFile, "remap"));
  exports.Set("faulted", Napi::Function::New(env, Faulted, "faulted"));
  exports.Set("madvise", Napi::Function::New(env, Advise, "madvise"));
  exports.Set("mincore", Napi::Function::New(env, Residency, "mincore"));
  exports.Set("mlock", Napi::Function::New(env, RangeCall<platform::Lock>, "mlock"));
  exports.Set("munlock", Napi::Function::New(env, RangeCall<platform::Unlock>, "munlock"));
}

}  // namespace mapsync
