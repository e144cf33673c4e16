// The durability calls: msync, fsync, fdatasync, fallocate (plus the file-level
// fadvise and flock). Each has a synchronous
// form (runs on the calling thread) and an async form that runs on libuv's thread
// pool and resolves a Promise with 0 or -errno; TypeScript raises the error, so no
// C++ here builds JavaScript errors.
#include <algorithm>
#include <functional>

#include "fault_guard.h"
#include "mapping.h"
#include "platform.h"

namespace mapsync {

namespace {

Napi::Value Errno(Napi::Env env, int rc) { return Napi::Number::New(env, rc); }

// Runs `call` off the event loop. Holding `mapping` (when set) keeps the address
// mapped until the call returns, even if JavaScript unmaps in the meantime.
class BlockingCall : public Napi::AsyncWorker {
 public:
  BlockingCall(Napi::Env env, std::function<int()> call, MappingRef mapping)
      : Napi::AsyncWorker(env, "mapsync:blocking"),
        deferred_(Napi::Promise::Deferred::New(env)),
        call_(std::move(call)),
        mapping_(std::move(mapping)) {
    if (mapping_) BeginInFlight(mapping_);
  }

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override { rc_ = call_(); }

  void OnOK() override {
    if (mapping_) EndInFlight(mapping_);
    deferred_.Resolve(Napi::Number::New(Env(), rc_));
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::function<int()> call_;
  MappingRef mapping_;
  int rc_ = 0;
};

Napi::Value Queue(Napi::Env env, std::function<int()> call, MappingRef mapping) {
  auto* worker = new BlockingCall(env, std::move(call), std::move(mapping));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

struct RangeArgs {
  MappingRef mapping;
  size_t offset;
  size_t length;
  int flags;
};

// (handle, offset, length, ...): false when the handle is not an open mapping.
bool ReadMappingRange(const Napi::CallbackInfo& info, RangeArgs* out) {
  MappingRef* ref = UnwrapMapping(info.Env(), info[0]);
  if (ref == nullptr || !(*ref)->open) return false;
  out->mapping = *ref;
  out->offset = static_cast<size_t>(info[1].As<Napi::Number>().Int64Value());
  out->length = static_cast<size_t>(info[2].As<Napi::Number>().Int64Value());
  return true;
}

// (handle, offset, length, flags)
bool ReadRange(const Napi::CallbackInfo& info, RangeArgs* out) {
  if (!ReadMappingRange(info, out)) return false;
  out->flags = info[3].As<Napi::Number>().Int32Value();
  return true;
}

// msyncSync(handle, offset, length, flags) -> 0 | -errno | kStatusFaulted
Napi::Value MsyncSync(const Napi::CallbackInfo& info) {
  RangeArgs a;
  if (!ReadRange(info, &a)) return Errno(info.Env(), -EBADF);
  if (platform::RangeFaulted(a.mapping->guard_slot)) return Errno(info.Env(), kStatusFaulted);
  return Errno(info.Env(),
               platform::SyncRange(a.mapping->addr + a.offset, a.length, a.flags));
}

// msync(handle, offset, length, flags) -> Promise<0 | -errno | kStatusFaulted>
Napi::Value MsyncAsync(const Napi::CallbackInfo& info) {
  RangeArgs a;
  if (!ReadRange(info, &a)) return Settled(info.Env(), -EBADF);
  if (platform::RangeFaulted(a.mapping->guard_slot)) return Settled(info.Env(), kStatusFaulted);
  uint8_t* start = a.mapping->addr + a.offset;
  size_t length = a.length;
  int flags = a.flags;
  return Queue(
      info.Env(), [=] { return platform::SyncRange(start, length, flags); }, a.mapping);
}

// The mapping's bytes [offset, offset + length) written into a file with pwrite, then
// fdatasync'd if asked: a private (copy-on-write) mapping's changes reach the file this
// way, without the write fault a shared mapping takes after each msync.
struct WriteArgs {
  RangeArgs range;
  int fd;
  int64_t position;
  bool datasync;
};

// (handle, offset, length, fd, position, datasync)
bool ReadWrite(const Napi::CallbackInfo& info, WriteArgs* out) {
  if (!ReadMappingRange(info, &out->range)) return false;
  out->fd = info[3].As<Napi::Number>().Int32Value();
  out->position = info[4].As<Napi::Number>().Int64Value();
  out->datasync = info[5].As<Napi::Boolean>().Value();
  return true;
}

// pwriteSync(...) -> 0 | -errno | kStatusFaulted
Napi::Value WriteSync(const Napi::CallbackInfo& info) {
  WriteArgs a;
  if (!ReadWrite(info, &a)) return Errno(info.Env(), -EBADF);
  if (platform::RangeFaulted(a.range.mapping->guard_slot)) return Errno(info.Env(), kStatusFaulted);
  return Errno(info.Env(), platform::WriteAt(a.fd, a.range.mapping->addr + a.range.offset,
                                             a.range.length, a.position, a.datasync));
}

// pwrite(...) -> Promise<0 | -errno | kStatusFaulted>: one trip to the thread pool for
// the write and the fdatasync together.
Napi::Value WriteAsync(const Napi::CallbackInfo& info) {
  WriteArgs a;
  if (!ReadWrite(info, &a)) return Settled(info.Env(), -EBADF);
  if (platform::RangeFaulted(a.range.mapping->guard_slot)) return Settled(info.Env(), kStatusFaulted);
  const uint8_t* start = a.range.mapping->addr + a.range.offset;
  size_t length = a.range.length;
  int fd = a.fd;
  int64_t position = a.position;
  bool datasync = a.datasync;
  return Queue(
      info.Env(), [=] { return platform::WriteAt(fd, start, length, position, datasync); },
      a.range.mapping);
}

template <int (*Call)(int)>
Napi::Value FdSync(const Napi::CallbackInfo& info) {
  return Errno(info.Env(), Call(info[0].As<Napi::Number>().Int32Value()));
}

template <int (*Call)(int)>
Napi::Value FdAsync(const Napi::CallbackInfo& info) {
  int fd = info[0].As<Napi::Number>().Int32Value();
  return Queue(info.Env(), [fd] { return Call(fd); }, nullptr);
}

// fallocate(fd, mode, offset, length): offsets are 64-bit; JS numbers carry them
// exactly up to 2^53, which TypeScript checks.
Napi::Value AllocateSync(const Napi::CallbackInfo& info) {
  int fd = info[0].As<Napi::Number>().Int32Value();
  int mode = info[1].As<Napi::Number>().Int32Value();
  int64_t offset = info[2].As<Napi::Number>().Int64Value();
  int64_t length = info[3].As<Napi::Number>().Int64Value();
  return Errno(info.Env(), platform::Allocate(fd, mode, offset, length));
}

Napi::Value AllocateAsync(const Napi::CallbackInfo& info) {
  int fd = info[0].As<Napi::Number>().Int32Value();
  int mode = info[1].As<Napi::Number>().Int32Value();
  int64_t offset = info[2].As<Napi::Number>().Int64Value();
  int64_t length = info[3].As<Napi::Number>().Int64Value();
  return Queue(
      info.Env(), [=] { return platform::Allocate(fd, mode, offset, length); }, nullptr);
}

// madviseAsync(handle, offset, length, advice) -> Promise<0 | -errno>: for the
// MADV_POPULATE_* advices, which fault a whole range in and can take milliseconds.
// The mapping stays mapped until the call returns, as for msync; so that closing it
// does not wait for a long range, the range goes in steps and stops (-ECANCELED) at
// the first step after unmap.
constexpr size_t kAdviseStep = 256 * 1024;

Napi::Value AdviseAsync(const Napi::CallbackInfo& info) {
  RangeArgs a;
  if (!ReadRange(info, &a)) return Settled(info.Env(), -EBADF);
  MappingRef mapping = a.mapping;
  uint8_t* start = a.mapping->addr + a.offset;
  size_t length = a.length;
  int advice = a.flags;
  return Queue(
      info.Env(),
      [=] {
        for (size_t done = 0; done < length; done += kAdviseStep) {
          if (mapping->closing.load()) return -ECANCELED;
          int rc = platform::Advise(start + done, std::min(kAdviseStep, length - done), advice);
          if (rc < 0) return rc;
        }
        return 0;
      },
      a.mapping);
}

// fadviseSync(fd, offset, length, advice) -> 0 | -errno
Napi::Value AdviseFileSync(const Napi::CallbackInfo& info) {
  int fd = info[0].As<Napi::Number>().Int32Value();
  int64_t offset = info[1].As<Napi::Number>().Int64Value();
  int64_t length = info[2].As<Napi::Number>().Int64Value();
  int advice = info[3].As<Napi::Number>().Int32Value();
  return Errno(info.Env(), platform::AdviseFile(fd, offset, length, advice));
}

// flockSync(fd, LOCK_EX | LOCK_SH | LOCK_UN) -> 0 | -errno; never blocks.
Napi::Value LockFileSync(const Napi::CallbackInfo& info) {
  int fd = info[0].As<Napi::Number>().Int32Value();
  int operation = info[1].As<Napi::Number>().Int32Value();
  return Errno(info.Env(), platform::LockFile(fd, operation));
}

}  // namespace

// Raw N-API calls, each checked: while a worker thread is being terminated, calls into
// the engine fail, and node-addon-api's wrappers would make that a fatal error for
// the whole process.
Napi::Value Settled(Napi::Env env, int rc) {
  napi_deferred deferred;
  napi_value promise;
  napi_value status;
  if (napi_create_promise(env, &deferred, &promise) != napi_ok) return Napi::Value();
  if (napi_create_int32(env, rc, &status) != napi_ok || napi_resolve_deferred(env, deferred, status) != napi_ok) {
    return Napi::Value();
  }
  return Napi::Value(env, promise);
}

void InitSync(Napi::Env env, Napi::Object exports) {
  exports.Set("msyncSync", Napi::Function::New(env, MsyncSync, "msyncSync"));
  exports.Set("msync", Napi::Function::New(env, MsyncAsync, "msync"));
  exports.Set("pwriteSync", Napi::Function::New(env, WriteSync, "pwriteSync"));
  exports.Set("pwrite", Napi::Function::New(env, WriteAsync, "pwrite"));
  exports.Set("fsyncSync", Napi::Function::New(env, FdSync<platform::SyncFile>, "fsyncSync"));
  exports.Set("fsync", Napi::Function::New(env, FdAsync<platform::SyncFile>, "fsync"));
  exports.Set("fdatasyncSync",
              Napi::Function::New(env, FdSync<platform::SyncFileData>, "fdatasyncSync"));
  exports.Set("fdatasync",
              Napi::Function::New(env, FdAsync<platform::SyncFileData>, "fdatasync"));
  exports.Set("fallocateSync", Napi::Function::New(env, AllocateSync, "fallocateSync"));
  exports.Set("fallocate", Napi::Function::New(env, AllocateAsync, "fallocate"));
  exports.Set("fadviseSync", Napi::Function::New(env, AdviseFileSync, "fadviseSync"));
  exports.Set("madviseAsync", Napi::Function::New(env, AdviseAsync, "madviseAsync"));
  exports.Set("flockSync", Napi::Function::New(env, LockFileSync, "flockSync"));
}

}  // namespace mapsync
