#!/usr/bin/env python3
"""DeepSeek-V3 forward written from DeepSeek-V3's own conventions (test reference, torch only).

Reads a deepseek_v3 folder (config.json + model.safetensors under DeepSeek-V3 names) and writes the
logits of token sequences. Conventions as in DeepSeek-V3's inference code: RoPE on interleaved pairs
(2i, 2i+1) as complex numbers, kv_b_proj [H (dn + dv), r] split per head, one shared-expert SwiGLU,
sigmoid gate with e_score_correction_bias for selection only, norm_topk_prob, routed_scaling_factor.

usage: deepseek_v3_reference.py FOLDER TOKENS.json OUT.safetensors
"""
import json
import math
import struct
import sys

import torch
import torch.nn.functional as F


def read(path):
    buf = open(path, "rb").read()
    (n,) = struct.unpack("<Q", buf[:8])
    header = json.loads(buf[8:8 + n])
    out = {}
    for k, e in header.items():
        if k == "__metadata__":
            continue
        assert e["dtype"] == "F32", e
        s, t = e["data_offsets"]
        out[k] = torch.frombuffer(bytearray(buf[8 + n + s:8 + n + t]), dtype=torch.float32).reshape(e["shape"])
    return out


def write(path, name, t):
    raw = t.contiguous().numpy().tobytes()
    h = json.dumps({name: {"dtype": "F32", "shape": list(t.shape), "data_offsets": [0, len(raw)]}}).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + raw)


def rms(x, w, eps):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rope(x, theta):
    """x [B, T, H, dr]: pairs (2i, 2i+1) rotated as complex numbers by t * theta^(-2i/dr)."""
    b, t, h, dr = x.shape
    freqs = 1.0 / (theta ** (torch.arange(0, dr, 2, dtype=torch.float32) / dr))
    cis = torch.polar(torch.ones(t, dr // 2), torch.outer(torch.arange(t, dtype=torch.float32), freqs))
    xc = torch.view_as_complex(x.float().reshape(b, t, h, dr // 2, 2))
    return torch.view_as_real(xc * cis.view(1, t, 1, dr // 2)).flatten(3)


def main():
    folder, tokens_file, out_file = sys.argv[1:4]
    c = json.load(open(folder + "/config.json"))
    w = read(folder + "/model.safetensors")
    eps, theta = c["rms_norm_eps"], c["rope_theta"]
    h, dn, dr, dv, r = (c["num_attention_heads"], c["qk_nope_head_dim"], c["qk_rope_head_dim"], c["v_head_dim"],
                        c["kv_lora_rank"])

    def mlp(x, p):
        return F.linear(F.silu(F.linear(x, w[p + "gate_proj.weight"])) * F.linear(x, w[p + "up_proj.weight"]),
                        w[p + "down_proj.weight"])

    def attention(x, p):
        b, t, _ = x.shape
        if c["q_lora_rank"]:
            q = F.linear(rms(F.linear(x, w[p + "q_a_proj.weight"]), w[p + "q_a_layernorm.weight"], eps),
                         w[p + "q_b_proj.weight"])
        else:
            q = F.linear(x, w[p + "q_proj.weight"])
        q = q.view(b, t, h, dn + dr)
        q_nope, q_pe = q[..., :dn], rope(q[..., dn:], theta)
        kv = F.linear(x, w[p + "kv_a_proj_with_mqa.weight"])
        latent, k_pe = kv[..., :r], rope(kv[..., r:].reshape(b, t, 1, dr), theta)
        kv = F.linear(rms(latent, w[p + "kv_a_layernorm.weight"], eps), w[p + "kv_b_proj.weight"]).view(b, t, h, dn + dv)
        k_nope, v = kv[..., :dn], kv[..., dn:]
        qa = torch.cat([q_nope, q_pe], -1)
        ka = torch.cat([k_nope, k_pe.expand(b, t, h, dr)], -1)
        s = torch.einsum("bshd,bthd->bhst", qa, ka) / math.sqrt(dn + dr)
        s = s.masked_fill(torch.ones(t, t, dtype=torch.bool).triu(1), float("-inf"))
        o = torch.einsum("bhst,bthd->bshd", s.softmax(-1), v)
        return F.linear(o.reshape(b, t, h * dv), w[p + "o_proj.weight"])

    def moe(x, p):
        scores = torch.sigmoid(F.linear(x, w[p + "gate.weight"]))
        idx = (scores + w[p + "gate.e_score_correction_bias"]).topk(c["num_experts_per_tok"], dim=-1).indices
        g = scores.gather(1, idx)
        if c["norm_topk_prob"]:
            g = g / (g.sum(-1, keepdim=True) + 1e-20)
        g = g * c["routed_scaling_factor"]
        out = torch.zeros_like(x)
        for e in range(c["n_routed_experts"]):
            tok, slot = torch.where(idx == e)
            if tok.numel():
                out.index_add_(0, tok, mlp(x[tok], p + f"experts.{e}.") * g[tok, slot, None])
        if c["n_shared_experts"]:
            out = out + mlp(x, p + "shared_experts.")
        return out

    ids = torch.tensor(json.load(open(tokens_file)), dtype=torch.long)
    with torch.no_grad():
        x = w["model.embed_tokens.weight"][ids]
        for i in range(c["num_hidden_layers"]):
            p = f"model.layers.{i}."
            hh = x + attention(rms(x, w[p + "input_layernorm.weight"], eps), p + "self_attn.")
            b, t, d = hh.shape
            y = rms(hh, w[p + "post_attention_layernorm.weight"], eps).reshape(b * t, d)
            f = mlp(y, p + "mlp.") if i < c["first_k_dense_replace"] else moe(y, p + "mlp.")
            x = hh + f.view(b, t, d)
        head = w["model.embed_tokens.weight"] if c["tie_word_embeddings"] else w["lm_head.weight"]
        logits = F.linear(rms(x, w["model.norm.weight"], eps), head)
    write(out_file, "logits", logits)


if __name__ == "__main__":
    main()
