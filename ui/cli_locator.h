#pragma once
// Where the GUI finds tiltbench-cli, which runs SASRec training (and anything else that needs LibTorch) in a
// child process: the GUI process itself never loads LibTorch (see core/CMakeLists.txt). In order:
// $TILTBENCH_CLI (tests and unusual layouts), beside the GUI executable (installed: both in bin/), the build
// tree's app/cli next to app/gui, then PATH.
#include <QString>

namespace tiltbench {

// The first candidate that exists and is executable; empty when none is.
QString locateCli();
// Where locateCli() looked, for an error message that tells the user what to fix.
QString cliSearchDescription();

}  // namespace tiltbench
