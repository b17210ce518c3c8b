#pragma once
// The Tiltbench version, for every part of the program (torch-free: the GUI and the torch-free CLI print it).
#include <string>

namespace tiltbench {

std::string versionString();  // "0.1.0"

}  // namespace tiltbench
