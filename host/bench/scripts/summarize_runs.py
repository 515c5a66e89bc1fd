#!/usr/bin/env python3
"""Summarise Roundhouse run directories: final val loss, router health. Usage: summarize_runs.py RUN_DIR..."""
import json
import sys


def summarize(run_dir):
    evals, loads, steps = [], [], []
    with open(f"{run_dir}/metrics.jsonl") as f:
        for line in f:
            try:
                e = json.loads(line)
            except json.JSONDecodeError:
                continue  # a truncated last line
            kind = e.get("event")
            if kind == "eval":
                evals.append(e)
            elif kind == "expert_load":
                loads.append(e)
            elif kind == "step":
                steps.append(e)
    last = loads[-1]["layers"] if loads else []
    mean_cv = sum(l["cv_pct"] for l in last) / len(last) if last else float("nan")
    min_entropy = min((l["entropy_norm"] for e in loads for l in e["layers"]), default=float("nan"))
    dead = sum(l["dead_experts"] for l in last)
    return {
        "run": run_dir.rstrip("/").split("/")[-1],
        "steps": steps[-1]["step"] if steps else 0,
        "val_loss": evals[-1]["val_loss"] if evals else float("nan"),
        "final_mean_cv_pct": mean_cv,
        "min_entropy_norm": min_entropy,
        "dead_experts_last": dead,
        "wall_s_per_step": (sum(s["step_ms"] for s in steps) / len(steps) / 1000) if steps else float("nan"),
    }


if __name__ == "__main__":
    rows = [summarize(d) for d in sys.argv[1:]]
    print("| run | steps | val loss | final mean cv_pct | min entropy_norm | dead experts (last) |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['run']} | {r['steps']} | {r['val_loss']:.4f} | {r['final_mean_cv_pct']:.1f} | "
              f"{r['min_entropy_norm']:.3f} | {r['dead_experts_last']} |")
