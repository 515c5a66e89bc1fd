#!/usr/bin/env python3
"""The tiny-moe model of Roundhouse written the way a PyTorch user would write it (eager, CPU).

Same architecture, initialisation, optimizer and schedule as a Roundhouse run of
configs/tiny-moe.json: byte vocab, pre-norm blocks (RMSNorm, weight * x / sqrt(mean(x^2) + eps)),
causal multi-head attention with RoPE in the rotate_half (GPT-NeoX) convention, layer 0 a dense
SwiGLU, later layers MoE: softmax top-k router (gates = the chosen softmax probabilities, not
renormalised), Switch aux loss coef * E * sum_i f_i P_i, routed SwiGLU experts run dropless by a
loop over experts, shared SwiGLU experts on every token; untied head; AdamW (decay on matrices
except the router) with linear warm-up and cosine decay to minLrFrac; global-norm clipping.
Weights are [out, in] (y = x @ W^T) and named as in Roundhouse (layers.1.attn.wq, ...).

Modes (run with Debian's python3-torch: /usr/bin/python3):
  --check FILE   load weights and batches exported by dev.roundhouse.host.bench.ExportInit and
                 compare the first steps' loss, aux loss, gradient norm and learning rate with
                 what the Roundhouse trainer logged for them.
  --bench        time full training steps (forward, backward, clip, AdamW, zero) on random byte
                 batches; prints the median step time and tokens/s.
"""
import argparse
import json
import math
import os
import resource
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# host/bench/scripts/pytorch_reference.py -> the repository root
ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))


# ---------------------------------------------------------------------------------------------
# config and tensor file


def load_config(path):
    with open(path) as f:
        return json.load(f)


def read_tensors(path):
    """Reads a Roundhouse tensors.bin (docs/run-directory.md) into {name: numpy array}."""
    dtypes = {"FLOAT": np.float32, "DOUBLE": np.float64, "INT": np.int32, "LONG": np.int64}
    out = {}
    with open(path, "rb") as f:
        buf = f.read()
    if buf[:8] != b"RHTENS01":
        raise ValueError(f"{path}: not a Roundhouse tensor file (bad magic)")
    (count,) = struct.unpack_from("<i", buf, 8)
    pos = 12
    for _ in range(count):
        (n,) = struct.unpack_from("<i", buf, pos)
        name = buf[pos + 4:pos + 4 + n].decode("utf-8")
        pos += 4 + n
        (n,) = struct.unpack_from("<i", buf, pos)
        dtype = buf[pos + 4:pos + 4 + n].decode("ascii")
        pos += 4 + n
        (rank,) = struct.unpack_from("<i", buf, pos)
        shape = struct.unpack_from(f"<{rank}q", buf, pos + 4)
        pos += 4 + 8 * rank
        (nbytes,) = struct.unpack_from("<q", buf, pos)
        pos += 8
        if dtype not in dtypes:
            raise ValueError(f"{path}: tensor {name} has unsupported dtype {dtype}")
        out[name] = np.frombuffer(buf, dtype=np.dtype(dtypes[dtype]).newbyteorder("<"), count=nbytes // np.dtype(
            dtypes[dtype]).itemsize, offset=pos).reshape(shape).copy()
        pos += nbytes
    return out


# ---------------------------------------------------------------------------------------------
# model


def rms_norm(x, w, eps):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rope_tables(seq_len, head_dim, theta):
    """cos, sin: [T, hd/2] of t * theta^(-2i/hd), computed in float64 and cast to float32."""
    half = head_dim // 2
    inv_freq = torch.exp(torch.arange(half, dtype=torch.float64) * (-2.0 * math.log(theta) / head_dim))
    angles = torch.arange(seq_len, dtype=torch.float64)[:, None] * inv_freq[None, :]
    return angles.cos().float(), angles.sin().float()


def apply_rope(x, cos, sin):
    """x: [B, H, T, hd]; rotate_half: dim i pairs with dim i + hd/2."""
    t = x.shape[2]
    c, s = cos[:t], sin[:t]
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat([x1 * c - x2 * s, x2 * c + x1 * s], dim=-1)


class SwiGLU(nn.Module):
    """y = W2 (silu(W1 x) * W3 x); W1, W3: [h, d], W2: [d, h]."""

    def __init__(self, d, h):
        super().__init__()
        self.w1 = nn.Parameter(torch.empty(h, d))
        self.w3 = nn.Parameter(torch.empty(h, d))
        self.w2 = nn.Parameter(torch.empty(d, h))

    def forward(self, x):
        return F.linear(F.silu(F.linear(x, self.w1)) * F.linear(x, self.w3), self.w2)


class Attention(nn.Module):
    def __init__(self, d, n_heads):
        super().__init__()
        self.n_heads = n_heads
        self.wq = nn.Parameter(torch.empty(d, d))
        self.wk = nn.Parameter(torch.empty(d, d))
        self.wv = nn.Parameter(torch.empty(d, d))
        self.wo = nn.Parameter(torch.empty(d, d))

    def forward(self, x, cos, sin):  # x: [B, T, d]
        b, t, d = x.shape
        hd = d // self.n_heads

        def heads(w):
            return F.linear(x, w).view(b, t, self.n_heads, hd).transpose(1, 2)  # [B, H, T, hd]

        q = apply_rope(heads(self.wq), cos, sin)
        k = apply_rope(heads(self.wk), cos, sin)
        v = heads(self.wv)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(hd)  # [B, H, T, T]
        mask = torch.ones(t, t, dtype=torch.bool).triu(1)
        att = scores.masked_fill(mask, float("-inf")).softmax(-1)
        o = (att @ v).transpose(1, 2).reshape(b, t, d)
        return F.linear(o, self.wo)


class Router(nn.Module):
    def __init__(self, d, n_experts):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_experts, d))


class MoE(nn.Module):
    def __init__(self, d, n_experts, top_k, expert_hidden, n_shared, shared_hidden, aux_coef):
        super().__init__()
        self.router = Router(d, n_experts)
        self.experts = nn.ModuleList([SwiGLU(d, expert_hidden) for _ in range(n_experts)])
        self.shared = nn.ModuleList([SwiGLU(d, shared_hidden) for _ in range(n_shared)])
        self.top_k = top_k
        self.aux_coef = aux_coef

    def forward(self, x):  # x: [N, d] -> ([N, d], aux loss)
        n_experts = len(self.experts)
        probs = F.linear(x, self.router.weight).softmax(-1)  # [N, E]
        gates, idx = probs.topk(self.top_k, dim=-1)  # [N, k]
        out = torch.zeros_like(x)
        for e in range(n_experts):
            tok, slot = torch.where(idx == e)
            if tok.numel() == 0:
                continue
            y = self.experts[e](x[tok]) * gates[tok, slot].unsqueeze(1)
            out.index_add_(0, tok, y.to(out.dtype))  # bf16 under autocast
        for s in self.shared:
            out = out + s(x)
        # Switch aux loss: f_i = fraction of assignments to expert i (a constant), P_i = mean prob
        counts = torch.bincount(idx.flatten(), minlength=n_experts).to(x.dtype)
        f = counts / counts.sum()
        aux = self.aux_coef * n_experts * (f * probs.mean(0)).sum()
        return out, aux


class Block(nn.Module):
    def __init__(self, d, n_heads, eps, ffn=None, moe=None):
        super().__init__()
        self.attn_norm = nn.Parameter(torch.ones(d))
        self.attn = Attention(d, n_heads)
        self.ffn_norm = nn.Parameter(torch.ones(d))
        self.ffn = ffn
        self.moe = moe
        self.eps = eps

    def forward(self, x, cos, sin):
        h = x + self.attn(rms_norm(x, self.attn_norm, self.eps), cos, sin)
        b, t, d = h.shape
        flat = rms_norm(h, self.ffn_norm, self.eps).reshape(b * t, d)
        if self.ffn is not None:
            return h + self.ffn(flat).view(b, t, d), None
        y, aux = self.moe(flat)
        return h + y.view(b, t, d), aux


class TinyMoE(nn.Module):
    def __init__(self, m):
        super().__init__()
        moe = m["moe"]
        d = m["dModel"]
        if m.get("tieEmbeddings"):
            raise ValueError("tieEmbeddings=true is not supported by this reference")
        self.eps = m["normEps"]
        self.embedding = nn.Parameter(torch.empty(m["vocabSize"], d))
        layers = []
        for i in range(m["nLayers"]):
            if i < moe["firstDenseLayers"]:
                layers.append(Block(d, m["nHeads"], self.eps, ffn=SwiGLU(d, moe["denseHidden"])))
            else:
                layers.append(Block(d, m["nHeads"], self.eps, moe=MoE(
                    d, moe["routedExperts"], moe["topK"], moe["expertHidden"], moe["sharedExperts"],
                    moe["sharedHidden"], moe["router"].get("auxLossCoef", 0.01))))
        self.layers = nn.ModuleList(layers)
        self.final_norm = nn.Parameter(torch.ones(d))
        self.head = nn.Parameter(torch.empty(m["vocabSize"], d))
        cos, sin = rope_tables(m["seqLen"], d // m["nHeads"], m["ropeTheta"])
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)
        self.init_weights(m["initStd"], m["nLayers"])

    def init_weights(self, std, n_layers):
        """normal(0, std); residual outputs (wo, every w2) normal(0, std / sqrt(2 L)); norms 1."""
        for name, p in self.named_parameters():
            leaf = name.rsplit(".", 1)[-1]
            if name.endswith("norm"):
                nn.init.ones_(p)
            elif leaf in ("wo", "w2"):
                nn.init.normal_(p, 0.0, std / math.sqrt(2.0 * n_layers))
            else:
                nn.init.normal_(p, 0.0, std)

    def forward(self, inputs, targets):  # inputs, targets: [B, T] -> (cross-entropy, aux sum)
        x = self.embedding[inputs]  # [B, T, d]
        aux = x.new_zeros(())
        for layer in self.layers:
            x, a = layer(x, self.cos, self.sin)
            if a is not None:
                aux = aux + a
        logits = F.linear(rms_norm(x, self.final_norm, self.eps), self.head)  # [B, T, V]
        ce = F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.reshape(-1))
        return ce, aux


# ---------------------------------------------------------------------------------------------
# optimizer and schedule


def lr_factor(step, train):
    """Roundhouse LrSchedule for 'cosine': linear warm-up, then cosine to minLrFrac; step 0-based."""
    warmup, steps, min_frac = train["warmupSteps"], train["steps"], train["minLrFrac"]
    if step < warmup:
        return (step + 1.0) / warmup
    last = steps - 1
    if last <= warmup:
        return 1.0
    progress = min(1.0, (step - warmup) / (last - warmup))
    return min_frac + (1.0 - min_frac) * 0.5 * (1.0 + math.cos(math.pi * progress))


def make_optimizer(model, cfg):
    opt = cfg["optimizer"]
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (decay if p.dim() >= 2 and ".router." not in name else no_decay).append(p)
    groups = [{"params": decay, "weight_decay": opt["weightDecay"]}, {"params": no_decay, "weight_decay": 0.0}]
    optimizer = torch.optim.AdamW(groups, lr=opt["lr"], betas=(opt["beta1"], opt["beta2"]), eps=opt["eps"])
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: lr_factor(s, cfg["train"]))
    return optimizer, schedule


def train_step(model, optimizer, schedule, inputs, targets, clip, bf16=False):
    """One optimizer step; bf16=True runs forward and loss under torch.autocast("cpu", torch.bfloat16)."""
    if bf16:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            ce, aux = model(inputs, targets)
    else:
        ce, aux = model(inputs, targets)
    (ce + aux).backward()
    grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
    lr = optimizer.param_groups[0]["lr"]
    optimizer.step()
    schedule.step()
    optimizer.zero_grad(set_to_none=True)
    return ce.item(), aux.item(), grad_norm.item(), lr


# ---------------------------------------------------------------------------------------------
# modes


def check(cfg, path):
    """Loads the exported weights and batches and compares every exported step; returns max rel. error."""
    data = read_tensors(path)
    model = TinyMoE(cfg["model"])
    ours = dict(model.named_parameters())
    theirs = {k[len("param/"):]: v for k, v in data.items() if k.startswith("param/")}
    if set(ours) != set(theirs):
        raise SystemExit(f"parameter names differ: only here {sorted(set(ours) - set(theirs))[:5]}, "
                         f"only in {path} {sorted(set(theirs) - set(ours))[:5]}")
    with torch.no_grad():
        for name, p in ours.items():
            if tuple(p.shape) != theirs[name].shape:
                raise SystemExit(f"{name}: shape {tuple(p.shape)} here, {theirs[name].shape} in {path}")
            p.copy_(torch.from_numpy(theirs[name]))
    optimizer, schedule = make_optimizer(model, cfg)
    worst = 0.0
    steps = len(data["ref/loss"])
    print(f"{'step':>4} {'quantity':>10} {'roundhouse':>14} {'pytorch':>14} {'rel. diff':>10}")
    for i in range(steps):
        inputs = torch.from_numpy(data[f"batch/{i}/inputs"]).long()
        targets = torch.from_numpy(data[f"batch/{i}/targets"]).long()
        got = train_step(model, optimizer, schedule, inputs, targets, cfg["train"]["gradClip"])
        for q, mine, ref in zip(("loss", "aux", "grad_norm", "lr"), got,
                                (data["ref/loss"][i], data["ref/aux"][i], data["ref/grad_norm"][i],
                                 data["ref/lr"][i])):
            rel = abs(mine - ref) / max(abs(ref), 1e-30)
            worst = max(worst, rel)
            print(f"{i + 1:>4} {q:>10} {ref:>14.8f} {mine:>14.8f} {rel:>10.2e}")
    return worst


def blas_library():
    """The BLAS shared library this process loaded (Debian's torch uses whatever libblas.so.3 resolves to)."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.rsplit("/", 1)[-1]}
        return ", ".join(sorted(libs)) or "none found"
    except OSError:
        return "unknown"


def gemm_gflops():
    """F.linear GFLOP/s at the dense FFN size [4096, 256] x [256, 768] (best of 3)."""
    a, w = torch.randn(4096, 256), torch.randn(768, 256)
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        F.linear(a, w)
        best = min(best, time.perf_counter() - t0)
    return 2 * 4096 * 256 * 768 / best / 1e9


def bench(cfg, warmup, steps, seed, bf16=False):
    torch.manual_seed(seed)
    model = TinyMoE(cfg["model"])
    optimizer, schedule = make_optimizer(model, cfg)
    b, t, v = cfg["train"]["batchSize"], cfg["model"]["seqLen"], cfg["model"]["vocabSize"]
    g = torch.Generator().manual_seed(seed)
    times = []
    for i in range(warmup + steps):
        seq = torch.randint(0, v, (b, t + 1), generator=g)
        t0 = time.perf_counter()
        train_step(model, optimizer, schedule, seq[:, :-1], seq[:, 1:], cfg["train"]["gradClip"], bf16)
        ms = (time.perf_counter() - t0) * 1000
        if i >= warmup:
            times.append(ms)
    med = float(np.median(times))
    print(f"pytorch {torch.__version__}{' bf16 autocast' if bf16 else ' fp32'}: threads {torch.get_num_threads()},"
          f" OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}, OPENBLAS_NUM_THREADS="
          f"{os.environ.get('OPENBLAS_NUM_THREADS')}, {b * t} tokens/step, warm-up {warmup}")
    print(f"  blas: {blas_library()}; F.linear [4096,256]x[256,768]: {gemm_gflops():.1f} GFLOP/s")
    print("  wall ms: " + " ".join(f"{x:.0f}" for x in times))
    print(f"median of {steps} steps: {med:.1f} ms wall, {b * t / (med / 1000):.0f} tokens/s")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024} bytes")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default=os.path.join(ROOT, "configs", "tiny-moe.json"))
    ap.add_argument("--check", metavar="FILE", help="tensor file written by dev.roundhouse.host.bench.ExportInit")
    ap.add_argument("--tolerance", type=float, default=1e-4, help="max relative difference for --check")
    ap.add_argument("--bench", action="store_true")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1337)
    ap.add_argument("--bf16", action="store_true", help="--bench under torch.autocast(\"cpu\", dtype=torch.bfloat16)")
    ap.add_argument("--set", action="append", default=[], metavar="train.KEY=VALUE",
                    help="override a train.* number of the config (e.g. train.batchSize=8)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cfg = load_config(args.config)
    for kv in args.set:
        key, _, value = kv.partition("=")
        if not key.startswith("train.") or not value:
            ap.error(f"--set {kv}: expected train.KEY=VALUE")
        cfg["train"][key[len("train."):]] = type(cfg["train"].get(key[len("train."):], 0.0))(float(value))
    if not args.check and not args.bench:
        ap.error("give --check FILE and/or --bench")
    if args.check:
        worst = check(cfg, args.check)
        ok = worst <= args.tolerance
        print(f"max relative difference {worst:.2e} (tolerance {args.tolerance:.0e}): {'OK' if ok else 'MISMATCH'}")
        if not ok:
            sys.exit(1)
    if args.bench:
        bench(cfg, args.warmup, args.steps, args.seed, args.bf16)


if __name__ == "__main__":
    main()
