// futex wait/wake on a 32-bit word inside a shared mapping. A MAP_SHARED file mapping
// is keyed by (inode, offset) in the kernel, so unrelated processes mapping the same
// file wake each other. The Promise form waits on a thread of its own: libuv's four
// pool threads are shared with fs and dns, and a long wait there would starve them.
#include <climits>
#include <thread>

#include "mapping.h"
#include "platform.h"

namespace mapsync {

namespace {

// How often a waiting thread checks whether its mapping or environment went away
// (only matters at worker-thread teardown; unmap wakes waiters immediately).
constexpr int64_t kCheckIntervalNs = 200 * 1000 * 1000;

struct WaitJob;
void OnWaitDone(Napi::Env env, Napi::Function, void*, WaitJob* job);
using WaitDone = Napi::TypedThreadSafeFunction<void, WaitJob, OnWaitDone>;

struct WaitJob {
  MappingRef mapping;
  uint32_t* word;
  uint32_t expected;
  int64_t deadline_ns;  // negative: no deadline
  std::shared_ptr<std::atomic<bool>> alive;
  Napi::Promise::Deferred deferred;
  WaitDone done;
  int rc = 0;
};

uint32_t* WordAt(const MappingRef& m, const Napi::Value& offset) {
  size_t at = static_cast<size_t>(offset.As<Napi::Number>().Int64Value());
  return reinterpret_cast<uint32_t*>(m->addr + at);
}

int64_t TimeoutNs(const Napi::Value& ms) {
  double v = ms.As<Napi::Number>().DoubleValue();
  return v < 0 ? -1 : static_cast<int64_t>(v * 1e6);
}

// Returns 0 (woken), -EAGAIN (value differed), -ETIMEDOUT or -ECANCELED.
int WaitLoop(WaitJob* job) {
  Mapping* m = job->mapping.get();
  {
    std::lock_guard<std::mutex> lock(m->waits_mutex);
    m->waits.push_back(job->word);
  }
  int rc;
  for (;;) {
    if (m->closing.load() || !job->alive->load()) {
      rc = -ECANCELED;
      break;
    }
    int64_t slice = kCheckIntervalNs;
    if (job->deadline_ns >= 0) {
      int64_t remaining = job->deadline_ns - platform::MonotonicNanos();
      if (remaining <= 0) {
        rc = -ETIMEDOUT;
        break;
      }
      if (remaining < slice) slice = remaining;
    }
    rc = platform::FutexWait(job->word, job->expected, slice);
    if (m->closing.load()) rc = -ECANCELED;
    if (rc == -ETIMEDOUT || rc == -EINTR) continue;
    break;
  }
  {
    std::lock_guard<std::mutex> lock(m->waits_mutex);
    for (auto it = m->waits.begin(); it != m->waits.end(); ++it) {
      if (*it == job->word) {
        m->waits.erase(it);
        break;
      }
    }
  }
  return rc;
}

void OnWaitDone(Napi::Env env, Napi::Function, void*, WaitJob* job) {
  if (env != nullptr) {
    EndInFlight(job->mapping);
    job->deferred.Resolve(Napi::Number::New(env, job->rc));
  }
  delete job;
}

// futexWaitSync(handle, offset, expected, timeoutMs) -> 0 | -EAGAIN | -ETIMEDOUT | -EINTR
Napi::Value WaitSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MappingRef* ref = UnwrapMapping(env, info[0]);
  if (ref == nullptr || !(*ref)->open) return Napi::Number::New(env, -EBADF);
  uint32_t expected = info[2].As<Napi::Number>().Uint32Value();
  int rc = platform::FutexWait(WordAt(*ref, info[1]), expected, TimeoutNs(info[3]));
  return Napi::Number::New(env, rc);
}

// futexWait(handle, offset, expected, timeoutMs) -> Promise<0 | -EAGAIN | -ETIMEDOUT | -ECANCELED>
Napi::Value WaitAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto deferred = Napi::Promise::Deferred::New(env);
  MappingRef* ref = UnwrapMapping(env, info[0]);
  if (ref == nullptr || !(*ref)->open) {
    deferred.Resolve(Napi::Number::New(env, -EBADF));
    return deferred.Promise();
  }
  int64_t timeout = TimeoutNs(info[3]);
  auto* job = new WaitJob{*ref,
                          WordAt(*ref, info[1]),
                          info[2].As<Napi::Number>().Uint32Value(),
                          timeout < 0 ? -1 : platform::MonotonicNanos() + timeout,
                          env.GetInstanceData<AddonState>()->alive,
                          deferred,
                          WaitDone::New(env, "mapsync:futexWait", 0, 1),
                          0};
  BeginInFlight(job->mapping);
  Napi::Promise promise = deferred.Promise();
  std::thread([job] {
    job->rc = WaitLoop(job);
    WaitDone done = job->done;
    if (done.BlockingCall(job) != napi_ok) {
      // The environment is gone: nobody is left to resolve; just free the job.
      delete job;
    }
    done.Release();
  }).detach();
  return promise;
}

// futexWake(handle, offset, count) -> woken | -errno
Napi::Value Wake(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MappingRef* ref = UnwrapMapping(env, info[0]);
  if (ref == nullptr || !(*ref)->open) return Napi::Number::New(env, -EBADF);
  int count = info[2].As<Napi::Number>().Int32Value();
  return Napi::Number::New(env, platform::FutexWake(WordAt(*ref, info[1]), count));
}

}  // namespace

void Mapping::WakeWaiters() {
  std::lock_guard<std::mutex> lock(waits_mutex);
  for (uint32_t* word : waits) platform::FutexWake(word, INT_MAX);
}

void InitFutex(Napi::Env env, Napi::Object exports) {
  exports.Set("futexWaitSync", Napi::Function::New(env, WaitSync, "futexWaitSync"));
  exports.Set("futexWait", Napi::Function::New(env, WaitAsync, "futexWait"));
  exports.Set("futexWake", Napi::Function::New(env, Wake, "futexWake"));
}

}  // namespace mapsync
