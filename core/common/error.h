#pragma once
// User-facing errors. Every message names the file, line or field at fault and what was expected, so the CLI
// can print it as-is and the GUI can put it in a message box. `Cancelled` is thrown when a progress callback
// returns false; callers treat it as a clean stop, not a failure.
#include <stdexcept>
#include <string>

namespace tiltbench {

class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class Cancelled : public Error {
  public:
    static constexpr const char* kByTheUser = "cancelled by the user";
    Cancelled() : Error(kByTheUser) {}
    // A cancel that left something the user should know of (a run kept, how to continue it).
    explicit Cancelled(const std::string& what) : Error(what) {}
};

}  // namespace tiltbench
