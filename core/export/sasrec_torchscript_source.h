#pragma once
// The TorchScript source of the methods of an exported SASRec module (torch/export/sasrec_torchscript.h), as
// plain text: torch-free, so that what a Tiltbench export's code records must hold can be checked without
// LibTorch.
namespace tiltbench {

const char* sasrecTorchScriptSource();
// The same methods for an HSTU run: its _encode runs HSTU blocks and reads the history's timestamps;
// forward() and recommend() take them as an optional `times` argument.
const char* hstuTorchScriptSource();

}  // namespace tiltbench
