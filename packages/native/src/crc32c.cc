// CRC32C (Castagnoli), the checksum of iSCSI, ext4 metadata, LevelDB and RocksDB.
// Uses the SSE4.2 crc32 instruction when the CPU has it, a lookup table otherwise.
// Chainable: crc32c(b, crc32c(a)) == crc32c(a ++ b).
#include <cstring>

#include "mapping.h"

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace mapsync {

namespace {

constexpr uint32_t kPolyReflected = 0x82F63B78u;

struct Table {
  uint32_t entries[256];
  constexpr Table() : entries() {
    for (uint32_t i = 0; i < 256; i++) {
      uint32_t c = i;
      for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ kPolyReflected : c >> 1;
      entries[i] = c;
    }
  }
};
constexpr Table kTable;

uint32_t UpdateSoftware(uint32_t crc, const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; i++) crc = kTable.entries[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
  return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t UpdateHardware(uint32_t crc, const uint8_t* p,
                                                          size_t n) {
  uint64_t c = crc;
  while (n >= 8) {
    uint64_t chunk;
    std::memcpy(&chunk, p, 8);
    c = _mm_crc32_u64(c, chunk);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = static_cast<uint32_t>(c);
  while (n > 0) {
    c32 = _mm_crc32_u8(c32, *p++);
    n--;
  }
  return c32;
}
bool HasHardware() { return __builtin_cpu_supports("sse4.2"); }
#else
uint32_t UpdateHardware(uint32_t crc, const uint8_t* p, size_t n) {
  return UpdateSoftware(crc, p, n);
}
bool HasHardware() { return false; }
#endif

const bool kHardware = HasHardware();

// crc32c(bytes: Uint8Array, seed: number) -> uint32; the range is the view itself.
Napi::Value Crc32c(const Napi::CallbackInfo& info) {
  Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
  uint32_t crc = ~info[1].As<Napi::Number>().Uint32Value();
  crc = kHardware ? UpdateHardware(crc, bytes.Data(), bytes.ByteLength())
                  : UpdateSoftware(crc, bytes.Data(), bytes.ByteLength());
  return Napi::Number::New(info.Env(), ~crc);
}

// The table path, exported so tests can prove both paths agree.
Napi::Value Crc32cSoftware(const Napi::CallbackInfo& info) {
  Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
  uint32_t crc = ~info[1].As<Napi::Number>().Uint32Value();
  crc = UpdateSoftware(crc, bytes.Data(), bytes.ByteLength());
  return Napi::Number::New(info.Env(), ~crc);
}

}  // namespace

void InitCrc32c(Napi::Env env, Napi::Object exports) {
  exports.Set("crc32c", Napi::Function::New(env, Crc32c, "crc32c"));
  exports.Set("crc32cSoftware", Napi::Function::New(env, Crc32cSoftware, "crc32cSoftware"));
  exports.Set("crc32cHardware", Napi::Boolean::New(env, kHardware));
}

}  // namespace mapsync
