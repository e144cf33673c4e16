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

// How often a waiting thread re-checks whether its mapping is closing, in case the
// wake sent by unmap() raced with the thread entering futex().
constexpr int64_t kCheckIntervalNs = 200 * 1000 * 1000;

struct WaitJob;
void OnWaitDone(Napi::Env env, Napi::Function, void*, WaitJob* job);
using WaitDone = Napi::TypedThreadSafeFunction<void, WaitJob, OnWaitDone>;

}  // namespace

// Owns every waiter thread of one environment. Node unloads an addon's code when the
// worker thread that loaded it exits, so no thread may outlive its environment: the
// cleanup hook wakes and joins them all before that happens.
struct AddonState {
  std::atomic<bool> alive{true};
  WaitDone done;  // one channel back to the JS thread, referenced only while waits are pending
  std::mutex jobs_mutex;
  std::vector<WaitJob*> jobs;  // JS thread adds; JS thread or teardown removes
  int pending = 0;             // JS thread only
};

namespace {

struct WaitJob {
  AddonState* state;
  MappingRef mapping;
  uint32_t* word;
  uint32_t expected;
  int64_t deadline_ns;  // negative: no deadline
  Napi::Promise::Deferred deferred;
  std::thread thread;
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

void Forget(AddonState* state, WaitJob* job) {
  std::lock_guard<std::mutex> lock(state->jobs_mutex);
  for (auto it = state->jobs.begin(); it != state->jobs.end(); ++it) {
    if (*it == job) {
      state->jobs.erase(it);
      return;
    }
  }
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
    if (m->closing.load() || !job->state->alive.load()) {
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
    if (m->closing.load() || !job->state->alive.load()) rc = -ECANCELED;
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

void RunWait(WaitJob* job) {
  job->rc = WaitLoop(job);
  // During teardown the environment is going away: the cleanup hook joins this
  // thread and frees the job, so nothing is sent back.
  if (job->state->alive.load()) job->state->done.BlockingCall(job);
}

void OnWaitDone(Napi::Env env, Napi::Function, void*, WaitJob* job) {
  // A null env means the channel is being torn down; the cleanup hook frees the job.
  if (env == nullptr) return;
  AddonState* state = job->state;
  job->thread.join();
  Forget(state, job);
  EndInFlight(job->mapping);
  job->deferred.Resolve(Napi::Number::New(env, job->rc));
  if (--state->pending == 0) state->done.Unref(env);
  delete job;
}

void Teardown(void* arg) {
  auto* state = static_cast<AddonState*>(arg);
  state->alive.store(false);
  std::vector<WaitJob*> jobs;
  {
    std::lock_guard<std::mutex> lock(state->jobs_mutex);
    jobs.swap(state->jobs);
  }
  for (WaitJob* job : jobs) job->mapping->WakeWaiters();
  for (WaitJob* job : jobs) {
    if (job->thread.joinable()) job->thread.join();
    delete job;
  }
  state->done.Abort();
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
  AddonState* state = env.GetInstanceData<AddonState>();
  auto* job = new WaitJob{state,
                          *ref,
                          WordAt(*ref, info[1]),
                          info[2].As<Napi::Number>().Uint32Value(),
                          timeout < 0 ? -1 : platform::MonotonicNanos() + timeout,
                          deferred,
                          std::thread(),
                          0};
  BeginInFlight(job->mapping);
  if (state->pending++ == 0) state->done.Ref(env);
  {
    std::lock_guard<std::mutex> lock(state->jobs_mutex);
    state->jobs.push_back(job);
  }
  // The thread cannot report back before this function returns: its result is
  // delivered on this (the JS) thread, so job->thread is set by then.
  job->thread = std::thread(RunWait, job);
  return deferred.Promise();
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

AddonState* NewAddonState(Napi::Env env) {
  auto* state = new AddonState();
  state->done = WaitDone::New(env, "mapsync:futexWait", 0, 1);
  state->done.Unref(env);
  // Registered after the channel, so it runs before the channel's own cleanup
  // (hooks run in reverse order) and can still join threads that use it.
  napi_add_env_cleanup_hook(env, Teardown, state);
  return state;
}

void FreeAddonState(Napi::Env, AddonState* state) { delete state; }

void InitFutex(Napi::Env env, Napi::Object exports) {
  exports.Set("futexWaitSync", Napi::Function::New(env, WaitSync, "futexWaitSync"));
  exports.Set("futexWait", Napi::Function::New(env, WaitAsync, "futexWait"));
  exports.Set("futexWake", Napi::Function::New(env, Wake, "futexWake"));
}

}  // namespace mapsync
