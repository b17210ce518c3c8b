#pragma once
// The TorchScript source of the methods of an exported SASRec module (torch/export/sasrec_torchscript.h), as
// plain text: torch-free, so that what a Tiltbench export's code records must hold can be checked without
// LibTorch.
namespace tiltbench {

const char* sasrecTorchScriptSource();

}  // namespace tiltbench
