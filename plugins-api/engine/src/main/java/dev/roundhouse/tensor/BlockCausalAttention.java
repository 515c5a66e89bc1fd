package dev.roundhouse.tensor;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Full causal attention computed chunk by chunk over the queries, so that the key blocks a chunk
 * cannot see are never computed: queries [r0, r1) attend to keys [0, r1) only. With nC chunks the
 * score, softmax and product work is (nC + 1) / (2 nC) of the T x T computation (62.5% at nC = 4,
 * 53% at nC = 16) and every fully masked entry is skipped. Same result as {@link AttentionOps}'s
 * one-block path up to float rounding; only the diagonal [c, c] block of each chunk is masked.
 *
 * <p>Legend as in {@link AttentionOps}: B batch, H query heads, Hk kv heads, G = H / Hk, T positions,
 * hd head dim, c chunk length, L = r1 the keys of a chunk. Once per call: qs = scale * q [Bk, G, T,
 * hd] (scale folded into q, which is 4x smaller than the scores; rebuilt by backward, not kept). Per chunk: S =
 * qs rows k[0:L]^T [Bk, G*c, L], the mask added to its diagonal [c, c] block only (the keys before
 * the chunk are all visible; a bias goes with the mask over all of S), P = softmax(S), O rows = P
 * v[0:L]. Backward: rowDot = rowsum(dO * O)
 * once over all T; per chunk, last first: dV[0:L] += P^T dO, dS = P * (dO v^T - rowDot), dQ rows =
 * dS K (times scale once at the end), dK[0:L] += dS^T qs.
 *
 * <p>Copies: at G = 1 the query, output and gradient rows of a chunk ([Bk, c, hd] of a [Bk, T, hd]
 * array) and the key/value prefixes ([Bk, L, hd]) are strided views that oneDNN ({@link DnnlMatmul})
 * reads and writes in place, dK/dV accumulated into their prefixes by its sum post-op; nothing is
 * copied per chunk. At G > 1 a chunk's rows of the G query heads are not one stride apart: they are
 * copied ([Bk, G*c, hd]). Where oneDNN does not run a product (-Droundhouse.dnnl=false, the CUDA
 * backend, fp64) the operands are copied dense, multiplied by {@link MatOps#gemm} and the result
 * copied or added into the view: same values.
 */
final class BlockCausalAttention {
  private BlockCausalAttention() {}

  /**
   * Chunk length used by {@link AttentionOps#causalAttention}. Measured (fwd + bwd, B*H = 64 at
   * T = 256, hd = 64, one thread): one block 168 ms, c = 32: 183, 64: 141, 128: 144; at T = 1024
   * one block 532, c = 64: 406, 128: 373. Shorter chunks lose to per-chunk copies and small gemms.
   * Without the per-chunk copies (B = 8, H = 4, hd = 64, fwd + bwd median, shared machine): T = 256
   * c = 64: 15.7 ms, 128: 15.0, 256 (one chunk): 17.2; T = 1024 c = 64: 135, 128: 132, 256: 150.
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
    INDArray k3 = rowMajor(k.data()).reshape('c', bk, t, hd); // [Bk, T, hd]
    INDArray v3 = rowMajor(v.data()).reshape('c', bk, t, hd); // [Bk, T, hd]
    INDArray out4 = Nd4j.createUninitialized(dt, bk, g, t, hd); // [Bk, G, T, hd]
    Chunk[] chunks = new Chunk[nc];
    // scale * q, the query rows copied at G > 1 and the mask sums are op scratch: only each chunk's
    // P outlives the forward pass; backward rebuilds scale * q with the same op (same bits)
    try (OpScratch s = OpScratch.open()) {
      INDArray qs4 = scaled(q.data(), scale).reshape('c', bk, g, t, hd); // scale * q: [Bk, G, T, hd]
      for (int i = 0; i < nc; i++) {
        long r0 = (long) i * chunk;
        long r1 = Math.min(t, r0 + chunk);
        INDArray qi = chunkRows(qs4, r0, r1); // [Bk, G*c, hd]
        INDArray p = s.parent(() -> MatOps.gemm(qi, keys(k3, 0, r1), false, true)); // S, then P: [Bk, G*c, L], kept
        addMask(p, r0, r1, bias, bk * g, dt);
        AttentionScores.softmaxInPlace(p);
        productIntoRows(p, keys(v3, 0, r1), out4, r0, r1, false); // O rows = P v[0:L]
        chunks[i] = new Chunk(r0, r1, p);
      }
    }
    return Tensor.result(out4.reshape('c', qs), dOut -> {
      INDArray dO4 = rowMajor(dOut).reshape('c', bk, g, t, hd);
      boolean wantQ = q.requiresGrad();
      boolean wantK = k.requiresGrad();
      boolean wantV = v.requiresGrad();
      INDArray dq4 = wantQ ? Nd4j.createUninitialized(dt, bk, g, t, hd) : null; // every row written once
      // the last chunk's prefix is all of [0, T): it writes dK and dV whole, earlier chunks add to them
      INDArray dk3 = wantK ? Nd4j.createUninitialized(dt, bk, t, hd) : null;
      INDArray dv3 = wantV ? Nd4j.createUninitialized(dt, bk, t, hd) : null;
      INDArray qs4 = wantK ? scaled(q.data(), scale).reshape('c', bk, g, t, hd) : null; // scale * q, as in forward
      // rowsum(dO * O) over all T at once: [Bk, G, T, 1] (= rowsum(dP * P) per query row)
      INDArray rowDot4 = wantQ || wantK
          ? AxisSums.rows(dO4.mul(out4).reshape('c', bk * g * t, hd)).reshape('c', bk, g, t, 1) : null;
      for (int i = nc - 1; i >= 0; i--) {
        Chunk c = chunks[i];
        boolean first = i == nc - 1; // writes dK, dV instead of adding
        INDArray dOi = chunkRows(dO4, c.r0, c.r1); // [Bk, G*c, hd]
        if (wantV) {
          productInto(c.p, dOi, keys(dv3, 0, c.r1), true, false, !first); // dV[0:L] += P^T dO
        }
        if (!wantQ && !wantK) {
          continue;
        }
        INDArray ds = MatOps.gemm(dOi, keys(v3, 0, c.r1), false, true); // dP = dO v[0:L]^T: [Bk, G*c, L]
        ds.subi(chunkRows(rowDot4, c.r0, c.r1)).muli(c.p); // dS = P * (dP - rowDot)
        if (wantQ) {
          productIntoRows(ds, keys(k3, 0, c.r1), dq4, c.r0, c.r1, false); // dQ rows / scale = dS k[0:L]
        }
        if (wantK) {
          productInto(ds, chunkRows(qs4, c.r0, c.r1), keys(dk3, 0, c.r1), true, false, !first); // dK[0:L] += dS^T qs
        }
      }
      if (wantQ) {
        q.addGradOwned(dq4.muli(scale).reshape('c', qs)); // the scale of dQ = scale * dS K, once over all rows
      }
      if (wantK) {
        k.addGradOwned(dk3.reshape('c', ks));
      }
      if (wantV) {
        v.addGradOwned(dv3.reshape('c', ks));
      }
    }, q, k, v);
  }

  /** What the backward pass of one query chunk keeps from its forward pass: its probabilities. */
  private record Chunk(long r0, long r1, INDArray p) {}

  /**
   * scale * x as a row-major array: one element-wise pass over all of q instead of a copy and a
   * scaling per chunk (same values: each element is multiplied once either way).
   */
  private static INDArray scaled(INDArray x, double scale) {
    INDArray s = x.mul(scale);
    return AttentionScores.rowMajor(s) ? s : s.dup('c');
  }

  /**
   * Rows [r0, r1) of the position axis of a row-major x4: [Bk, G, T, d] as [Bk, G*c, d]: a strided
   * view of x4 (no copy) when G = 1, else a c-order copy (the G blocks of c rows are not one stride apart).
   */
  private static INDArray chunkRows(INDArray x4, long r0, long r1) {
    long bk = x4.size(0);
    long g = x4.size(1);
    long d = x4.size(3);
    long len = r1 - r0;
    if (g == 1) {
      long[] st = x4.stride();
      return Nd4j.create(x4.data(), new long[] {bk, len, d}, new long[] {st[0], st[2], st[3]}, x4.offset() + r0 * st[2],
          'c');
    }
    return rows(x4, r0, r1).dup('c').reshape('c', bk, g * len, d);
  }

  /** Rows [r0, r1) of the position axis of x: [Bk, G, T, hd] (a view). */
  private static INDArray rows(INDArray x, long r0, long r1) {
    return x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(r0, r1), NDArrayIndex.all());
  }

  /** Keys (or values, or their gradients) [j0, j1) of a row-major x: [Bk, T, d] as a strided view [Bk, j1 - j0, d]. */
  private static INDArray keys(INDArray x, long j0, long j1) {
    if (j0 == 0 && j1 == x.size(1)) {
      return x;
    }
    long[] st = x.stride();
    return Nd4j.create(x.data(), new long[] {x.size(0), j1 - j0, x.size(2)}, st.clone(), x.offset() + j0 * st[1], 'c');
  }

  /**
   * Adds the causal mask to the chunk's scores s: [Bk, G*c, L] in place. Without a bias only the
   * diagonal block (keys [r0, r1)) holds -inf entries, so only that [Bk*G, c, c] strided block is
   * touched; with a bias the [c, L] mask + bias goes over all of s.
   */
  private static void addMask(INDArray s, long r0, long r1, INDArray bias, long heads, DataType dt) {
    long len = r1 - r0;
    INDArray s3 = s.reshape('c', heads, len, r1); // [Bk*G, c, L]
    if (bias != null) {
      INDArray add = mask(r0, r1, dt).add(bias.get(NDArrayIndex.interval(r0, r1), NDArrayIndex.interval(0, r1)).castTo(dt));
      s3.addi(add); // broadcast [c, L]
    } else if (r0 == 0) {
      s3.addi(mask(0, len, dt)); // [c, c]: the whole block is the diagonal
    } else {
      Nd4j.create(s3.data(), new long[] {heads, len, len}, s3.stride().clone(), s3.offset() + r0, 'c')
          .addi(mask(0, len, dt)); // [Bk*G, c, c] view of keys [r0, r1)
    }
  }

  /**
   * out = op(a) op(b) ({@code accumulate} false) or out += op(a) op(b) for a strided view out of a
   * larger array: oneDNN reads the strided operands and writes out in place; where it cannot (off,
   * CUDA backend, a dtype it lacks) the operands are copied dense, multiplied by {@link MatOps#gemm}
   * and the product copied or added into out.
   */
  private static void productInto(INDArray a, INDArray b, INDArray out, boolean transA, boolean transB,
                                  boolean accumulate) {
    if (DnnlMatmul.gemm(a, b, out, transA, transB, accumulate)) {
      return;
    }
    INDArray y = MatOps.gemm(rowMajor(a), rowMajor(b), transA, transB);
    if (accumulate) {
      addInto(out, y);
    } else {
      out.assign(y);
    }
  }

  /**
   * Rows [r0, r1) of out4: [Bk, G, T, d] = a b ([Bk, G*c, k] x [Bk, k, d]): straight into the strided
   * rows when G = 1 (see {@link #productInto}), else a product copied into the rows.
   */
  private static void productIntoRows(INDArray a, INDArray b, INDArray out4, long r0, long r1, boolean accumulate) {
    if (out4.size(1) == 1) {
      productInto(a, b, chunkRows(out4, r0, r1), false, false, accumulate);
      return;
    }
    INDArray y = MatOps.gemm(a, b, false, false).reshape('c', out4.size(0), out4.size(1), r1 - r0, out4.size(3));
    if (accumulate) {
      addInto(rows(out4, r0, r1), y);
    } else {
      rows(out4, r0, r1).assign(y);
    }
  }

  /**
   * dst += y for a strided view dst and a contiguous y of its shape. libnd4j's in-place add on a
   * strided view takes a generic per-element path (measured ~75x slower than contiguous), while
   * copies in and out of views are fast: so add into y and copy back.
   */
  private static void addInto(INDArray dst, INDArray y) {
    if (dst.isView() || !AttentionScores.rowMajor(dst)) {
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
