{
  "targets": [
    {
      "target_name": "mapsync_native",
      "sources": [
        "src/addon.cc",
        "src/mapping.cc",
        "src/sync.cc",
        "src/futex.cc",
        "src/doorbell.cc",
        "src/crc32c.cc",
        "src/platform_linux.cc",
        "src/fault_guard_linux.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-fvisibility=hidden", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "cflags": ["-fvisibility=hidden"]
    }
  ]
}
