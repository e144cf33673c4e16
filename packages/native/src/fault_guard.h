// Turns SIGBUS on a page of one of our mappings (the file was truncated under it)
// into a flag the next call reports, instead of a dead process. One implementation
// per platform (fault_guard_linux.cc).
#pragma once

#include <cstddef>

namespace mapsync::platform {

// Starts guarding [addr, addr + length); returns a slot, or -1 if the table is full.
// The first call installs the process-wide handler (chaining the previous one).
int GuardRange(void* addr, size_t length);
void MoveGuardedRange(int slot, void* addr, size_t length);
void UnguardRange(int slot);
// Whether a fault in the range was absorbed since it was guarded.
bool RangeFaulted(int slot);

}  // namespace mapsync::platform
