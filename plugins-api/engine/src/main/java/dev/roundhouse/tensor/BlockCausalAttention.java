package dev.roundhouse.tensor;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Full causal attention computed chunk by chunk over the queries, so that the key blocks a chunk
 * cannot see are never computed: queries [r0, r1) attend to keys [0, r1) only. With nC chunks the
 * score, softmax and product work is (nC + 1) / (2 nC) of the T x T computation (62.5% at nC = 4,
 * 53% at nC = 16) and every fully masked entry is skipped. Same result as {@link AttentionOps}'s
 * one-block path up to float rounding; only the diagonal [c, c] block of each chunk is masked.
 *
 * <p>Legend as in {@link AttentionOps}: B batch, H query heads, Hk kv heads, G = H / Hk, T positions,
 * hd head dim, c chunk length, L = r1 the keys of a chunk. Per chunk: qs = scale * q rows [Bk, G*c,
 * hd] (scale folded into q, which is 4x smaller than the scores), S = qs k[0:L]^T [Bk, G*c, L],
 * P = softmax(S + mask), O = P v[0:L]. Backward per chunk: dV[0:L] += P^T dO, dS = P * (dO v^T -
 * rowsum(dO * O)), dQ rows = scale * dS K, dK[0:L] += dS^T qs.
 */
final class BlockCausalAttention {
  private BlockCausalAttention() {}

  /**
   * Chunk length used by {@link AttentionOps#causalAttention}. Measured (fwd + bwd, B*H = 64 at
   * T = 256, hd = 64, one thread): one block 168 ms, c = 32: 183, 64: 141, 128: 144; at T = 1024
   * one block 532, c = 64: 406, 128: 373. Shorter chunks lose to per-chunk copies and small gemms.
   */
  static final int DEFAULT_CHUNK = 128;

  private record MaskKey(int rows, int keys, DataType dtype) {}

  private static final Map<MaskKey, INDArray> MASKS = new ConcurrentHashMap<>();

  /** q: [B, H, T, hd], k and v: [B, Hk, T, hd] (validated by the caller) -> [B, H, T, hd]. */
  static Tensor attend(Tensor q, Tensor k, Tensor v, double scale, INDArray bias, int chunk) {
    long[] qs = q.shape();
    long[] ks = k.shape();
    long hk = ks[1];
    long g = qs[1] / hk;
    long bk = qs[0] * hk;
    long t = qs[2];
    long hd = qs[3];
    int nc = (int) ((t + chunk - 1) / chunk);
    DataType dt = q.dataType();
    INDArray q4 = rowMajor(q.data()).reshape('c', bk, g, t, hd); // [Bk, G, T, hd]
    INDArray k3 = rowMajor(k.data()).reshape('c', bk, t, hd); // [Bk, T, hd]
    INDArray v3 = rowMajor(v.data()).reshape('c', bk, t, hd); // [Bk, T, hd]
    INDArray out4 = Nd4j.createUninitialized(dt, bk, g, t, hd); // [Bk, G, T, hd]
    Chunk[] chunks = new Chunk[nc];
    for (int i = 0; i < nc; i++) {
      long r0 = (long) i * chunk;
      long r1 = Math.min(t, r0 + chunk);
      long len = r1 - r0;
      INDArray p; // [Bk, G*c, L], kept for backward
      // the scaled query rows, the key/value prefixes and the chunk's output are temporaries (op
      // scratch): backward rebuilds them from q, k, v and the output with the same ops (same bits)
      try (OpScratch s = OpScratch.open()) {
        INDArray qsi = scaledRows(q4, r0, r1, scale); // [Bk, G*c, hd]
        INDArray ki = prefix(k3, r1, t); // [Bk, L, hd]
        INDArray vi = prefix(v3, r1, t); // [Bk, L, hd]
        p = s.parent(() -> MatOps.gemm(qsi, ki, false, true)); // [Bk, G*c, L]
        INDArray add = mask(r0, r1, dt);
        if (bias != null) {
          add = add.add(bias.get(NDArrayIndex.interval(r0, r1), NDArrayIndex.interval(0, r1)).castTo(dt));
        }
        p.reshape('c', bk * g, len, r1).addi(add); // broadcast [c, L]
        AttentionScores.softmaxInPlace(p);
        INDArray oi = MatOps.gemm(p, vi, false, false); // [Bk, G*c, hd]
        rows(out4, r0, r1).assign(oi.reshape('c', bk, g, len, hd));
      }
      chunks[i] = new Chunk(r0, r1, p);
    }
    return Tensor.result(out4.reshape('c', qs), dOut -> {
      INDArray dO4 = rowMajor(dOut).reshape('c', bk, g, t, hd);
      INDArray dq4 = q.requiresGrad() ? Nd4j.createUninitialized(dt, bk, g, t, hd) : null;
      INDArray dk3 = k.requiresGrad() ? Nd4j.create(dt, bk, t, hd) : null;
      INDArray dv3 = v.requiresGrad() ? Nd4j.create(dt, bk, t, hd) : null;
      for (Chunk c : chunks) {
        long len = c.r1 - c.r0;
        INDArray dOi = rows(dO4, c.r0, c.r1).dup('c').reshape('c', bk, g * len, hd); // [Bk, G*c, hd]
        if (dv3 != null) {
          addInto(prefixView(dv3, c.r1), MatOps.gemm(c.p, dOi, true, false)); // dV[0:L] += P^T dO
        }
        if (dq4 == null && dk3 == null) {
          continue;
        }
        INDArray oi = rows(out4, c.r0, c.r1).dup('c').reshape('c', bk, g * len, hd); // the chunk's output
        INDArray rowDot = AxisSums.rows(dOi.mul(oi).reshape('c', bk * g * len, hd)).reshape(bk, g * len, 1); // rowsum(dP * P)
        INDArray ds = MatOps.gemm(dOi, prefix(v3, c.r1, t), false, true).subi(rowDot).muli(c.p); // dS: [Bk, G*c, L]
        if (dq4 != null) {
          INDArray dqi = MatOps.gemm(ds, prefix(k3, c.r1, t), false, false).muli(scale); // [Bk, G*c, hd]
          rows(dq4, c.r0, c.r1).assign(dqi.reshape('c', bk, g, len, hd));
        }
        if (dk3 != null) {
          addInto(prefixView(dk3, c.r1), MatOps.gemm(ds, scaledRows(q4, c.r0, c.r1, scale), true, false)); // dK[0:L] += dS^T qs
        }
      }
      if (dq4 != null) {
        q.addGradOwned(dq4.reshape('c', qs));
      }
      if (dk3 != null) {
        k.addGradOwned(dk3.reshape('c', ks));
      }
      if (dv3 != null) {
        v.addGradOwned(dv3.reshape('c', ks));
      }
    }, q, k, v);
  }

  /** What the backward pass of one query chunk keeps from its forward pass: its probabilities. */
  private record Chunk(long r0, long r1, INDArray p) {}

  /** scale * q rows [r0, r1) of q4 [Bk, G, T, hd] as a c-order [Bk, G*c, hd]. */
  private static INDArray scaledRows(INDArray q4, long r0, long r1, double scale) {
    return rows(q4, r0, r1).dup('c').muli(scale).reshape('c', q4.size(0), q4.size(1) * (r1 - r0), q4.size(3));
  }

  /** Rows [r0, r1) of the position axis of x: [Bk, G, T, hd] (a view). */
  private static INDArray rows(INDArray x, long r0, long r1) {
    return x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(r0, r1), NDArrayIndex.all());
  }

  /** Keys [0, len) of x: [Bk, T, hd] as a contiguous array (x itself when len = T). */
  private static INDArray prefix(INDArray x, long len, long t) {
    return len == t ? x : prefixView(x, len).dup('c');
  }

  private static INDArray prefixView(INDArray x, long len) {
    INDArrayIndex[] idx = {NDArrayIndex.all(), NDArrayIndex.interval(0, len), NDArrayIndex.all()};
    return len == x.size(1) ? x : x.get(idx);
  }

  /**
   * dst += y for a strided view dst and a contiguous y of its shape. libnd4j's in-place add on a
   * strided view takes a generic per-element path (measured ~75x slower than contiguous), while
   * copies in and out of views are fast: so add into y and copy back.
   */
  private static void addInto(INDArray dst, INDArray y) {
    if (dst.isView()) {
      dst.assign(y.addi(dst.dup('c')));
    } else {
      dst.addi(y);
    }
  }

  private static INDArray rowMajor(INDArray x) {
    return AttentionScores.rowMajor(x) ? x : x.dup('c');
  }

  /**
   * [c, L] additive mask of the chunk of queries [r0, r1) over keys [0, r1): 0 where key j <= query
   * r0 + r, -inf elsewhere (only the last c columns hold -inf). Cached per shape, built outside
   * any workspace (not with Nd4j.tri, which reads uninitialized workspace memory).
   */
  private static INDArray mask(long r0, long r1, DataType dtype) {
    return MASKS.computeIfAbsent(new MaskKey((int) (r1 - r0), (int) r1, dtype), key -> {
      int rows = key.rows();
      int keys = key.keys();
      int first = keys - rows;
      double[] m = new double[rows * keys];
      for (int r = 0; r < rows; r++) {
        for (int j = first + r + 1; j < keys; j++) {
          m[r * keys + j] = Double.NEGATIVE_INFINITY;
        }
      }
      try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
        return Nd4j.createFromArray(m).reshape(rows, keys).castTo(key.dtype());
      }
    });
  }
}
