// Module entry. Context-aware: each environment (main thread, every worker thread)
// gets its own exports and AddonState; there is no process-global mutable state.
#include "mapping.h"
#include "platform.h"

namespace mapsync {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData<AddonState, FreeAddonState>(NewAddonState(env));

  Napi::Object constants = Napi::Object::New(env);
  for (const auto& [name, value] : platform::Constants()) constants.Set(name, value);
  exports.Set("constants", constants);
  exports.Set("pageSize", Napi::Number::New(env, static_cast<double>(platform::PageSize())));

  InitMapping(env, exports);
  InitSync(env, exports);
  InitFutex(env, exports);
  InitDoorbell(env, exports);
  InitCrc32c(env, exports);
  return exports;
}

}  // namespace mapsync

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  return mapsync::Init(env, exports);
}

NODE_API_MODULE(mapsync_native, InitAddon)
