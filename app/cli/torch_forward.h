#pragma once
// tiltbench-cli is two executables. `tiltbench-cli` itself is torch-free: it runs the commands that never
// touch LibTorch (import, generate, datasets, info, weights, runs, closed-form train) without paying
// LibTorch's start-up (about 0.45 s and 160 MB on Debian, where libtorch pulls in some 290 shared libraries).
// For the commands that need it (SASRec train and resume, sweep, eval, runtime, export, recommend) it
// replaces itself with `tiltbench-cli-torch` — the same sources built with every command — through execv:
// same pid, same arguments, same standard streams and inherited descriptors, so callers (the GUI's child
// processes, signals,
// --progress-jsonl fd:N) see no difference.
namespace tiltbench::cli {

// main() hands over its arguments first.
void rememberArguments(int argc, char** argv);

// Execs tiltbench-cli-torch with the remembered arguments. Returns only by throwing Error (not found, exec
// failed). Where it looks: engine::torchCliSearch() (engine/locator.h).
int forwardToTorchCli();

}  // namespace tiltbench::cli
