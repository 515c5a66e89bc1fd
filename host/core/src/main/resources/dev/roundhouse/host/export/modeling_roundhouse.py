#!/usr/bin/env python3
"""Roundhouse MoE transformer in PyTorch (written by `roundhouse export`; needs only torch).

Loads an export folder (config.json + model.safetensors) and runs the model with the inference
semantics of Roundhouse: pre-norm blocks (RMSNorm), attention per layer (mha / gqa / swa with a
sliding window / mla), RoPE in the rotate-half convention, dense SwiGLU layers first, then MoE
layers (softmax-topk or sigmoid-topk router with its expert bias, optional group limit, routed
SwiGLU experts, dropless, plus shared experts), final RMSNorm and the LM head (tied or untied).
Tensor names are listed in docs/export.md of Roundhouse.

With transformers installed, AutoModelForCausalLM.from_pretrained(DIR, trust_remote_code=True)
loads it (config.json's auto_map points here); without transformers the classes are plain torch.

As a script:
  python3 modeling_roundhouse.py DIR --prompt TEXT --tokens N      prints prompt + greedy continuation
  python3 modeling_roundhouse.py DIR --prompt TEXT --tokens N --ids first prints the generated ids (one line)
  python3 modeling_roundhouse.py DIR --logits TOKENS.json --out FILE.safetensors [--prompt TEXT ...]
      TOKENS.json: a list of token-id lists (equal lengths); writes "logits" [B, T, V] (float32), then
      generates when --prompt is given
"""
import argparse
import json
import math
import os
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

try:  # optional: the Hugging Face integration
    from transformers import PretrainedConfig as _ConfigBase
    from transformers import PreTrainedModel as _ModelBase
    from transformers.modeling_outputs import CausalLMOutput as _Output

    try:  # transformers >= 4.50 wants GenerationMixin among the bases for .generate()
        from transformers import GenerationMixin as _Generation
    except ImportError:
        _Generation = object
    HAVE_TRANSFORMERS = True
except ImportError:  # plain torch
    HAVE_TRANSFORMERS = False

    class _ConfigBase:
        def __init__(self, **kwargs):
            for k, v in kwargs.items():
                setattr(self, k, v)

    class _ModelBase(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.config = config

        def post_init(self):
            pass

    _Output = None
    _Generation = object

ATTENTION_NORM_EPS = 1e-6  # q/k norms of mha and the latent norms of mla (fixed in Roundhouse)

# ---------------------------------------------------------------------------------------------
# safetensors without the safetensors package

_DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16,
           "I64": torch.int64, "I32": torch.int32}


def read_safetensors(path):
    """{name: tensor} of a safetensors file (json header + raw little-endian bytes)."""
    with open(path, "rb") as f:
        buf = f.read()
    (n,) = struct.unpack("<Q", buf[:8])
    header = json.loads(buf[8:8 + n].decode("utf-8"))
    data = buf[8 + n:]
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        if e["dtype"] not in _DTYPES:
            raise ValueError(f"{path}: tensor {name} has unsupported dtype {e['dtype']}")
        s, t = e["data_offsets"]
        raw = bytearray(data[s:t])
        dt = _DTYPES[e["dtype"]]
        tensor = torch.frombuffer(raw, dtype=dt) if raw else torch.empty(0, dtype=dt)
        out[name] = tensor.reshape(e["shape"]).clone()
    return out


def write_safetensors(path, tensors):
    """Writes {name: tensor} as float32/int64 safetensors."""
    names = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.int32: "I32"}
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        raw = t.numpy().tobytes()
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


# ---------------------------------------------------------------------------------------------
# config


class RoundhouseConfig(_ConfigBase):
    model_type = "roundhouse"

    def __init__(self, vocab_size=256, hidden_size=256, num_hidden_layers=4, num_attention_heads=4,
                 max_position_embeddings=256, rope_theta=10000.0, rms_norm_eps=1e-6, tie_word_embeddings=False,
                 first_k_dense_replace=1, intermediate_size=768, moe_intermediate_size=128, n_routed_experts=16,
                 num_experts_per_tok=2, n_shared_experts=1, shared_intermediate_size=256, router=None,
                 layer_attention=None, **kwargs):
        self.vocab_size = vocab_size
        self.hidden_size = hidden_size
        self.num_hidden_layers = num_hidden_layers
        self.num_attention_heads = num_attention_heads
        self.max_position_embeddings = max_position_embeddings
        self.rope_theta = rope_theta
        self.rms_norm_eps = rms_norm_eps
        self.first_k_dense_replace = first_k_dense_replace
        self.intermediate_size = intermediate_size
        self.moe_intermediate_size = moe_intermediate_size
        self.n_routed_experts = n_routed_experts
        self.num_experts_per_tok = num_experts_per_tok
        self.n_shared_experts = n_shared_experts
        self.shared_intermediate_size = shared_intermediate_size
        self.router = router or {"type": "softmax-topk"}
        self.layer_attention = layer_attention or [{"type": "mha"}] * num_hidden_layers
        super().__init__(tie_word_embeddings=tie_word_embeddings, **kwargs)


# ---------------------------------------------------------------------------------------------
# layers


class RMSNorm(nn.Module):
    """weight * x / sqrt(mean(x^2) + eps) over the last dim."""

    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rope_tables(seq_len, rotary_dims, theta):
    """cos, sin [T, r/2] of t * theta^(-2i/r), computed in float64 and cast to float32."""
    half = rotary_dims // 2
    inv_freq = torch.exp(torch.arange(half, dtype=torch.float64) * (-2.0 * math.log(theta) / rotary_dims))
    angles = torch.arange(seq_len, dtype=torch.float64)[:, None] * inv_freq[None, :]
    return angles.cos().float(), angles.sin().float()


def apply_rope(x, rotary_dims, theta):
    """x [B, H, T, hd]: the first rotary_dims dims rotate (dim i pairs with i + r/2), the rest pass."""
    if rotary_dims == 0:
        return x
    t = x.shape[2]
    cos, sin = rope_tables(t, rotary_dims, theta)
    cos, sin = cos.to(x.dtype), sin.to(x.dtype)
    half = rotary_dims // 2
    x1, x2, rest = x[..., :half], x[..., half:rotary_dims], x[..., rotary_dims:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin, rest], dim=-1)


def attend(q, k, v, scale, window=0, soft_cap=0.0):
    """q [B, H, T, dk], k [B, H, T, dk], v [B, H, T, dv]; causal (and banded when window > 0)."""
    t = q.shape[2]
    s = (q @ k.transpose(-2, -1)) * scale
    if soft_cap > 0:
        s = soft_cap * torch.tanh(s / soft_cap)
    i = torch.arange(t)[:, None]
    j = torch.arange(t)[None, :]
    visible = j <= i
    if window > 0:
        visible = visible & (j > i - window)
    s = s.masked_fill(~visible, float("-inf"))
    return s.softmax(-1) @ v


class Attention(nn.Module):
    """mha / gqa / swa: q_proj [d, d], k_proj and v_proj [Hk hd, d], o_proj [d, d], optional q_norm, k_norm [hd]."""

    def __init__(self, config, spec):
        super().__init__()
        d, h = config.hidden_size, config.num_attention_heads
        self.n_heads, self.head_dim = h, d // h
        self.n_kv = spec.get("num_key_value_heads", h)
        self.rotary = spec.get("rotary_dim", self.head_dim)
        self.window = spec.get("window", 0) or 0
        self.soft_cap = spec.get("soft_cap", 0.0) or 0.0
        self.theta = config.rope_theta
        kv = self.n_kv * self.head_dim
        self.q_proj = nn.Linear(d, d, bias=False)
        self.k_proj = nn.Linear(d, kv, bias=False)
        self.v_proj = nn.Linear(d, kv, bias=False)
        self.o_proj = nn.Linear(d, d, bias=False)
        if spec.get("qk_norm", False):
            self.q_norm = RMSNorm(self.head_dim, ATTENTION_NORM_EPS)
            self.k_norm = RMSNorm(self.head_dim, ATTENTION_NORM_EPS)
        else:
            self.q_norm = self.k_norm = None

    def _heads(self, y, n, norm):
        b, t, _ = y.shape
        y = y.view(b, t, n, self.head_dim)
        if norm is not None:
            y = norm(y)
        return apply_rope(y.transpose(1, 2), self.rotary, self.theta)

    def forward(self, x):
        b, t, d = x.shape
        q = self._heads(self.q_proj(x), self.n_heads, self.q_norm)  # [B, H, T, hd]
        k = self._heads(self.k_proj(x), self.n_kv, self.k_norm)  # [B, Hk, T, hd]
        v = self.v_proj(x).view(b, t, self.n_kv, self.head_dim).transpose(1, 2)
        g = self.n_heads // self.n_kv  # query head h reads kv head h // g
        k, v = k.repeat_interleave(g, dim=1), v.repeat_interleave(g, dim=1)
        o = attend(q, k, v, 1.0 / math.sqrt(self.head_dim), self.window, self.soft_cap)
        return self.o_proj(o.transpose(1, 2).reshape(b, t, d))


class LatentAttention(nn.Module):
    """mla (DeepSeek-V2/V3 multi-head latent attention), decompressed form; see docs/attention.md."""

    def __init__(self, config, spec):
        super().__init__()
        d, h = config.hidden_size, config.num_attention_heads
        self.n_heads = h
        self.q_lora = spec.get("q_lora_rank", 0) or 0
        self.r = spec["kv_lora_rank"]
        self.dn = spec["qk_nope_head_dim"]
        self.dr = spec["qk_rope_head_dim"]
        self.dv = spec["v_head_dim"]
        self.theta = config.rope_theta
        qk = self.dn + self.dr
        if self.q_lora > 0:
            self.q_a_proj = nn.Linear(d, self.q_lora, bias=False)
            self.q_a_layernorm = RMSNorm(self.q_lora, ATTENTION_NORM_EPS)
            self.q_b_proj = nn.Linear(self.q_lora, h * qk, bias=False)
        else:
            self.q_proj = nn.Linear(d, h * qk, bias=False)
        self.kv_a_proj_with_mqa = nn.Linear(d, self.r + self.dr, bias=False)
        self.kv_a_layernorm = RMSNorm(self.r, ATTENTION_NORM_EPS)
        self.k_b_proj = nn.Linear(self.r, h * self.dn, bias=False)
        self.v_b_proj = nn.Linear(self.r, h * self.dv, bias=False)
        self.o_proj = nn.Linear(h * self.dv, d, bias=False)

    def forward(self, x):
        b, t, d = x.shape
        h = self.n_heads
        qf = self.q_b_proj(self.q_a_layernorm(self.q_a_proj(x))) if self.q_lora > 0 else self.q_proj(x)
        q = qf.view(b, t, h, self.dn + self.dr).transpose(1, 2)  # [B, H, T, dn+dr]
        q_nope, q_rope = q[..., :self.dn], apply_rope(q[..., self.dn:], self.dr, self.theta)
        ckv = self.kv_a_proj_with_mqa(x)  # [B, T, r+dr]
        c = self.kv_a_layernorm(ckv[..., :self.r])  # [B, T, r]
        k_rope = apply_rope(ckv[..., self.r:].reshape(b, 1, t, self.dr), self.dr, self.theta)  # [B, 1, T, dr]
        k_nope = self.k_b_proj(c).view(b, t, h, self.dn).transpose(1, 2)
        v = self.v_b_proj(c).view(b, t, h, self.dv).transpose(1, 2)
        qa = torch.cat([q_nope, q_rope], dim=-1)
        ka = torch.cat([k_nope, k_rope.expand(b, h, t, self.dr)], dim=-1)
        o = attend(qa, ka, v, 1.0 / math.sqrt(self.dn + self.dr))  # [B, H, T, dv]
        return self.o_proj(o.transpose(1, 2).reshape(b, t, h * self.dv))


class MLP(nn.Module):
    """SwiGLU: down_proj(silu(gate_proj x) * up_proj x)."""

    def __init__(self, d, hidden):
        super().__init__()
        self.gate_proj = nn.Linear(d, hidden, bias=False)
        self.up_proj = nn.Linear(d, hidden, bias=False)
        self.down_proj = nn.Linear(hidden, d, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Router(nn.Module):
    """weight [E, d]; sigmoid-topk also has e_score_correction_bias [E] (selection only)."""

    def __init__(self, config):
        super().__init__()
        spec = config.router
        self.kind = spec["type"]
        self.top_k = config.num_experts_per_tok
        self.n_experts = config.n_routed_experts
        self.normalize = spec.get("normalize_top_k", self.kind == "sigmoid-topk")
        self.route_scale = spec.get("route_scale", 1.0)
        self.groups = spec.get("groups", 1)
        self.top_groups = spec.get("top_groups", self.groups)
        self.weight = nn.Parameter(torch.empty(self.n_experts, config.hidden_size))
        if self.kind == "sigmoid-topk":
            self.register_buffer("e_score_correction_bias", torch.zeros(self.n_experts))
        elif self.kind != "softmax-topk":
            raise ValueError(f"router type {self.kind!r} is not supported (softmax-topk, sigmoid-topk)")

    def _group_limit(self, sel):
        if self.top_groups >= self.groups:
            return sel
        n = sel.shape[0]
        per = self.n_experts // self.groups
        best = sel.view(n, self.groups, per).max(-1).values  # [N, G]
        threshold = best.topk(self.top_groups, dim=-1).values[:, -1:]
        keep = (best >= threshold).repeat_interleave(per, dim=1)  # [N, E]
        return sel.masked_fill(~keep, float("-inf"))

    def forward(self, x):
        """x [N, d] -> expert ids [N, k], gates [N, k]."""
        logits = F.linear(x.float(), self.weight.float())
        if self.kind == "softmax-topk":
            scores = logits.softmax(-1)
            sel = scores
        else:
            scores = torch.sigmoid(logits)
            sel = scores + self.e_score_correction_bias.to(scores.dtype)
        idx = self._group_limit(sel).topk(self.top_k, dim=-1).indices
        gates = scores.gather(1, idx)
        if self.normalize:
            gates = gates / gates.sum(-1, keepdim=True)
        if self.kind == "sigmoid-topk":
            gates = gates * self.route_scale
        return idx, gates.to(x.dtype)


class MoE(nn.Module):
    def __init__(self, config):
        super().__init__()
        d = config.hidden_size
        self.gate = Router(config)
        self.experts = nn.ModuleList([MLP(d, config.moe_intermediate_size) for _ in range(config.n_routed_experts)])
        self.shared_experts = nn.ModuleList(
            [MLP(d, config.shared_intermediate_size) for _ in range(config.n_shared_experts)])

    def forward(self, x):  # x [N, d]
        idx, gates = self.gate(x)
        out = torch.zeros_like(x)
        for e in range(len(self.experts)):
            tok, slot = torch.where(idx == e)
            if tok.numel() > 0:
                out.index_add_(0, tok, self.experts[e](x[tok]) * gates[tok, slot].unsqueeze(1))
        for s in self.shared_experts:
            out = out + s(x)
        return out


class DecoderLayer(nn.Module):
    def __init__(self, config, i):
        super().__init__()
        d, eps = config.hidden_size, config.rms_norm_eps
        spec = config.layer_attention[i]
        self.input_layernorm = RMSNorm(d, eps)
        if spec["type"] in ("mha", "gqa", "swa"):
            self.self_attn = Attention(config, spec)
        elif spec["type"] == "mla":
            self.self_attn = LatentAttention(config, spec)
        else:
            raise ValueError(f"layer {i}: attention {spec['type']!r} is not supported (mha, gqa, swa, mla)")
        self.post_attention_layernorm = RMSNorm(d, eps)
        if i < config.first_k_dense_replace:
            self.mlp = MLP(d, config.intermediate_size)
        else:
            self.mlp = MoE(config)

    def forward(self, x):
        h = x + self.self_attn(self.input_layernorm(x))
        b, t, d = h.shape
        return h + self.mlp(self.post_attention_layernorm(h).reshape(b * t, d)).view(b, t, d)


class RoundhouseModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        self.layers = nn.ModuleList([DecoderLayer(config, i) for i in range(config.num_hidden_layers)])
        self.norm = RMSNorm(config.hidden_size, config.rms_norm_eps)

    def forward(self, input_ids):
        x = self.embed_tokens(input_ids)
        for layer in self.layers:
            x = layer(x)
        return self.norm(x)


class RoundhouseForCausalLM(_ModelBase, *([] if _Generation is object else [_Generation])):
    config_class = RoundhouseConfig
    base_model_prefix = "model"
    _tied_weights_keys = ["lm_head.weight"]

    def __init__(self, config):
        super().__init__(config)
        self.model = RoundhouseModel(config)
        self.tied = bool(getattr(config, "tie_word_embeddings", False))
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
        if self.tied:
            self.lm_head.weight = self.model.embed_tokens.weight
        self.post_init()

    def get_input_embeddings(self):
        return self.model.embed_tokens

    def get_output_embeddings(self):
        return self.lm_head

    def forward(self, input_ids, labels=None, **kwargs):
        """input_ids [B, T] -> logits [B, T, V] (a CausalLMOutput with transformers)."""
        logits = self.lm_head(self.model(input_ids))
        if _Output is None:
            return logits
        loss = None
        if labels is not None:
            loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), labels[:, 1:].reshape(-1))
        return _Output(loss=loss, logits=logits)

    @classmethod
    def from_folder(cls, folder, dtype=torch.float32):
        """Loads an export folder with torch only; every tensor must be present with its shape."""
        with open(os.path.join(folder, "config.json")) as f:
            cfg = json.load(f)
        config = RoundhouseConfig(**{k: v for k, v in cfg.items() if k not in ("auto_map", "architectures")})
        model = cls(config)
        tensors = read_safetensors(os.path.join(folder, "model.safetensors"))
        if model.tied:
            tensors.setdefault("lm_head.weight", tensors["model.embed_tokens.weight"])
        own = model.state_dict()
        missing = sorted(set(own) - set(tensors))
        extra = sorted(set(tensors) - set(own))
        if missing or extra:
            raise ValueError(f"{folder}: missing tensors {missing[:5]}, unexpected tensors {extra[:5]}")
        for name, t in tensors.items():
            if tuple(t.shape) != tuple(own[name].shape):
                raise ValueError(f"{name}: shape {tuple(t.shape)} in the file, {tuple(own[name].shape)} in the model")
        model.load_state_dict(tensors)
        return model.to(dtype).eval()


# ---------------------------------------------------------------------------------------------
# byte tokenizer and greedy decoding


def encode(text):
    """The byte tokenizer: UTF-8 bytes (an empty prompt is a newline, as roundhouse sample)."""
    return list((text or "\n").encode("utf-8", errors="surrogatepass"))


def decode(ids):
    """Bytes to text; a byte that does not start a well-formed UTF-8 sequence becomes U+FFFD."""
    b = bytes(ids)
    out, i = [], 0
    while i < len(b):
        for n in (1, 2, 3, 4):
            try:
                out.append(b[i:i + n].decode("utf-8"))
                i += n
                break
            except UnicodeDecodeError:
                continue
        else:
            out.append("\ufffd")
            i += 1
    return "".join(out)


@torch.no_grad()
def generate(model, ids, tokens, context):
    """Greedy: each step feeds the last `context` tokens and appends the argmax (first on ties)."""
    ids = list(ids)
    start = len(ids)
    for _ in range(tokens):
        ctx = torch.tensor([ids[-context:]], dtype=torch.long)
        out = model(ctx)
        logits = out if isinstance(out, torch.Tensor) else out.logits
        ids.append(int(torch.argmax(logits[0, -1].double())))
    return ids[start:]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder")
    ap.add_argument("--prompt", default=None)
    ap.add_argument("--tokens", type=int, default=200)
    ap.add_argument("--ids", action="store_true", help="first print the generated token ids, one line")
    ap.add_argument("--logits", metavar="TOKENS_JSON", help="write logits of these token sequences")
    ap.add_argument("--out", metavar="FILE", help="output safetensors file for --logits")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    model = RoundhouseForCausalLM.from_folder(args.folder)
    if args.logits:
        with open(args.logits) as f:
            batch = torch.tensor(json.load(f), dtype=torch.long)
        with torch.no_grad():
            out = model(batch)
        logits = out if isinstance(out, torch.Tensor) else out.logits
        write_safetensors(args.out, {"logits": logits.float()})
        if args.prompt is None:
            return
    prompt = args.prompt or ""
    new = generate(model, encode(prompt), args.tokens, model.config.max_position_embeddings)
    if args.ids:
        print(" ".join(str(i) for i in new))
    sys.stdout.write(prompt + decode(new) + "\n")


if __name__ == "__main__":
    main()
