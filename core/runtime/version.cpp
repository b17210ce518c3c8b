// Kept apart from runtime.cpp so that code without LibTorch (the GUI, the torch-free core) can print the version.
#include "common/version.h"
#include "runtime/runtime.h"

namespace tiltbench {

std::string versionString() { return TILTBENCH_VERSION; }

}  // namespace tiltbench
