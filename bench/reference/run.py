"""PyTorch reference of `pnpm bench`: training-step time of the suite's three models.

Usage (the bench runs it; by hand for checks):
  python3 bench/reference/run.py --cases '<json list of train cases>' [--reps 5] [--threads 2]
  python3 bench/reference/run.py --matmul-check      # prints a small matmul's values (for the
                                                     # OPENBLAS_CORETYPE correctness check)
Prints one JSON object on the last line of stdout. Run it with OPENBLAS_VERBOSE=2 to have
OpenBLAS name the kernel (core type) it selected on stderr.
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch

from models import build


def blas_info():
    info = {"torch": torch.__version__, "threads": torch.get_num_threads(), "coretype_env": os.environ.get("OPENBLAS_CORETYPE")}
    try:
        from threadpoolctl import threadpool_info  # optional

        info["threadpoolctl"] = [{k: p.get(k) for k in ("internal_api", "version", "architecture", "num_threads", "filepath")} for p in threadpool_info()]
    except Exception as e:  # noqa: BLE001 - optional dependency, report why it is missing
        info["threadpoolctl"] = f"unavailable: {type(e).__name__}"
    try:
        import ctypes

        lib = ctypes.CDLL("libopenblas.so.0")
        lib.openblas_get_corename.restype = ctypes.c_char_p
        lib.openblas_get_config.restype = ctypes.c_char_p
        info["openblas_core"] = lib.openblas_get_corename().decode()
        info["openblas_config"] = lib.openblas_get_config().decode()
    except Exception as e:  # noqa: BLE001
        info["openblas_core"] = f"unavailable: {type(e).__name__}: {e}"
    return info


def matmul_check():
    g = torch.Generator().manual_seed(0)
    a = torch.rand(96, 80, generator=g, dtype=torch.float32)
    b = torch.rand(80, 72, generator=g, dtype=torch.float32)
    c = a @ b
    t0 = time.perf_counter()
    n = 20
    big = torch.rand(512, 512, generator=g)
    for _ in range(n):
        big @ big
    gflops = 2 * 512 ** 3 * n / (time.perf_counter() - t0) / 1e9
    return {"values": c.flatten().tolist(), "gflops512": gflops, "blas": blas_info()}


def train_case(case, reps):
    torch.manual_seed(0)
    model, x, y = build(case)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    step()  # warm-up
    walls, cpus = [], []
    for _ in range(reps):
        c0, t0 = time.process_time(), time.perf_counter()
        step()
        walls.append((time.perf_counter() - t0) * 1000)
        cpus.append((time.process_time() - c0) * 1000)
    return {"case": case["name"], "batch": case["batch"], "wallMs": statistics.median(walls), "cpuMs": statistics.median(cpus), "samples": walls,
            "params": sum(p.numel() for p in model.parameters())}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--matmul-check", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.matmul_check:
        print(json.dumps(matmul_check()))
        return
    cases = json.loads(a.cases)
    out = {"blas": blas_info(), "rows": [train_case(c, a.reps) for c in cases], "load": list(os.getloadavg())}
    print(json.dumps(out))


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(__file__))
    main()
