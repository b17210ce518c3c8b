// Torch-free (torch/runtime/runtime.cpp holds what needs LibTorch), so that the GUI and the torch-free CLI
// can print the version.
#include "common/version.h"
#include "runtime/version.h"

namespace tiltbench {

std::string versionString() {
    return TILTBENCH_VERSION;
}

}  // namespace tiltbench
