package dev.roundhouse.plugins.attention;

import dev.roundhouse.tensor.Elementwise;
import dev.roundhouse.tensor.MatOps;
import dev.roundhouse.tensor.Pointwise;
import dev.roundhouse.tensor.Shapes;
import dev.roundhouse.tensor.Tensor;
import dev.roundhouse.tensor.Unstack;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The gated delta rule with per-channel decay (KDA), in two forms with equal values.
 *
 * <p>Per head, state S [dk, dv], S_0 = 0: S_t = (I - b_t k_t k_t^T) diag(a_t) S_{t-1} + b_t k_t v_t^T,
 * o_t = S_t^T q_t. Legend: N = batch * heads, T positions, dk key dim, dv value dim; inputs q, k
 * [N, T, dk], v [N, T, dv], logA = log a [N, T, dk] (<= 0), beta [N, T, 1]; output [N, T, dv].
 *
 * <p>Chunkwise form (chunks of C, state carried between chunks): with L_r the within-chunk cumulative
 * log decay and the pseudo-values u_r = b_r (v_r - S'^T k_r) (S' the decayed state before step r),
 * S_r = Gamma_r S_0 + sum_{i<=r} diag(e^{L_r - L_i}) k_i u_i^T. Then (I + A) U = diag(b) (V - Kt S_0)
 * with A_ri = b_r k_r . (e^{L_r - L_i} k_i) for i < r and Kt = k * e^L, so U = Uv - Wk S_0 with
 * Uv = (I + A)^-1 diag(b) V, Wk = (I + A)^-1 diag(b) Kt; O = (q * e^L) S_0 + M U with M_ri = q_r .
 * (e^{L_r - L_i} k_i) for i <= r; S_C = e^{L_C} S_0 + (k * e^{L_C - L})^T U. (I + A)^-1 of the
 * nilpotent A is (I - A)(I + A^2)(I + A^4)... The factors e^{L_r - L_i} are split as e^{L_r - L_m}
 * e^{L_m - L_i} around the chunk middle m, so values stay within e^{+-C |min log a| / 2}.
 */
final class DeltaRule {
  private DeltaRule() {}

  /** One step per token. */
  static Tensor recurrent(Tensor q, Tensor k, Tensor v, Tensor logA, Tensor beta) {
    long n = q.size(0);
    long dk = q.size(2);
    long dv = v.size(2);
    List<Tensor> qs = byTime(q);
    List<Tensor> ks = byTime(k);
    List<Tensor> vs = byTime(v);
    List<Tensor> as = byTime(Pointwise.exp(logA));
    List<Tensor> bs = byTime(beta);
    Tensor s = Tensor.constant(Nd4j.zeros(q.dataType(), n, dk, dv));
    List<Tensor> outs = new ArrayList<>();
    for (int t = 0; t < qs.size(); t++) {
      Tensor kt = Shapes.reshape(ks.get(t), n, 1, dk);
      Tensor decayed = s.mul(Shapes.reshape(as.get(t), n, dk, 1)); // diag(a) S
      Tensor predicted = MatOps.matmul(kt, decayed); // k^T S': [N, 1, dv]
      Tensor u = Shapes.reshape(vs.get(t), n, 1, dv).sub(predicted).mul(Shapes.reshape(bs.get(t), n, 1, 1));
      s = decayed.add(MatOps.matmul(Shapes.transpose(kt, 1, 2), u)); // + k u^T
      outs.add(Shapes.reshape(MatOps.matmul(Shapes.reshape(qs.get(t), n, 1, dk), s), n, dv)); // q^T S
    }
    return Shapes.transpose(Unstack.stack(outs), 0, 1); // [N, T, dv]
  }

  /** x [N, T, ...] -> T tensors [N, ...]. */
  private static List<Tensor> byTime(Tensor x) {
    return Unstack.unstack(Shapes.transpose(x, 0, 1));
  }

  /** Chunks of {@code c} positions (T padded with zeros to a multiple of c). */
  static Tensor chunked(Tensor q, Tensor k, Tensor v, Tensor logA, Tensor beta, int c) {
    long n = q.size(0);
    long t = q.size(1);
    long dk = q.size(2);
    long dv = v.size(2);
    long nc = (t + c - 1) / c;
    long x = n * nc;
    DataType dt = q.dataType();
    // [N, T, .] -> [N*nC, C, .]
    Tensor qc = chunks(q, c, nc);
    Tensor kc = chunks(k, c, nc);
    Tensor vc = chunks(v, c, nc);
    Tensor bc = chunks(beta, c, nc); // [X, C, 1]
    Tensor lc = chunks(logA, c, nc); // [X, C, dk]
    INDArray lowerIncl = lower(c, true, dt);
    INDArray lowerStrict = lower(c, false, dt);
    // L = cumsum over the chunk: L^T = logA^T upper(incl)  ([X, dk, C] @ [C, C])
    Tensor l = Shapes.transpose(MatOps.matmul(Shapes.transpose(lc, 1, 2), Tensor.constant(lowerIncl.transpose())), 1, 2);
    int mid = c / 2;
    Tensor lMid = Shapes.slice(l, 1, mid, mid + 1); // [X, 1, dk]
    Tensor lEnd = Shapes.slice(l, 1, c - 1, c); // [X, 1, dk]
    Tensor up = Pointwise.exp(l.sub(lMid)); // e^{L_r - L_m}
    Tensor down = Pointwise.exp(lMid.sub(l)); // e^{L_m - L_i}
    Tensor kDown = kc.mul(down);
    Tensor a = MatOps.matmul(kc.mul(up), Shapes.transpose(kDown, 1, 2)) // [X, C, C]
        .mul(Tensor.constant(lowerStrict)).mul(bc);
    Tensor m = MatOps.matmul(qc.mul(up), Shapes.transpose(kDown, 1, 2)).mul(Tensor.constant(lowerIncl));
    Tensor inv = unitLowerInverse(a, c, dt); // (I + A)^-1
    Tensor eL = Pointwise.exp(l);
    Tensor uv = MatOps.matmul(inv, vc.mul(bc)); // [X, C, dv]
    Tensor wk = MatOps.matmul(inv, kc.mul(eL).mul(bc)); // [X, C, dk]
    Tensor qDecayed = qc.mul(eL); // [X, C, dk]
    Tensor kEnd = kc.mul(Pointwise.exp(lEnd.sub(l))); // [X, C, dk]
    Tensor gEnd = Shapes.transpose(Pointwise.exp(lEnd), 1, 2); // [X, dk, 1]

    List<Tensor> uvs = byChunk(uv, n, nc);
    List<Tensor> wks = byChunk(wk, n, nc);
    List<Tensor> qds = byChunk(qDecayed, n, nc);
    List<Tensor> ms = byChunk(m, n, nc);
    List<Tensor> kEnds = byChunk(kEnd, n, nc);
    List<Tensor> gEnds = byChunk(gEnd, n, nc);
    Tensor s = Tensor.constant(Nd4j.zeros(dt, n, dk, dv));
    List<Tensor> outs = new ArrayList<>();
    for (int i = 0; i < nc; i++) {
      Tensor u = uvs.get(i).sub(MatOps.matmul(wks.get(i), s)); // [N, C, dv]
      outs.add(MatOps.matmul(qds.get(i), s).add(MatOps.matmul(ms.get(i), u)));
      s = s.mul(gEnds.get(i)).add(MatOps.matmul(Shapes.transpose(kEnds.get(i), 1, 2), u));
    }
    Tensor o = Shapes.reshape(Shapes.transpose(Unstack.stack(outs), 0, 1), n, nc * c, dv); // [N, nC*C, dv]
    return nc * c == t ? o : Shapes.slice(o, 1, 0, t);
  }

  /** [N, T, w] -> zero-padded to nC*C -> [N*nC, C, w]. */
  private static Tensor chunks(Tensor x, int c, long nc) {
    long n = x.size(0);
    long t = x.size(1);
    long w = x.size(2);
    Tensor padded = x;
    if (nc * c != t) {
      padded = Shapes.concat(1, x, Tensor.constant(Nd4j.zeros(x.dataType(), n, nc * c - t, w)));
    }
    return Shapes.reshape(padded, n * nc, c, w);
  }

  /** [N*nC, a, b] -> nC tensors [N, a, b]. */
  private static List<Tensor> byChunk(Tensor x, long n, long nc) {
    return Unstack.unstack(Shapes.transpose(Shapes.reshape(x, n, nc, x.size(1), x.size(2)), 0, 1));
  }

  /** (I + A)^-1 for strictly lower-triangular A [X, C, C]: (I - A)(I + A^2)(I + A^4)... until the power reaches C. */
  private static Tensor unitLowerInverse(Tensor a, int c, DataType dt) {
    Tensor eye = Tensor.constant(identity(c, dt)); // not Nd4j.eye: built from a Java array like the masks
    Tensor inv = Elementwise.sub(eye, a);
    Tensor power = a;
    for (int reach = 2; reach < c; reach *= 2) {
      power = MatOps.matmul(power, power); // A^reach
      inv = MatOps.matmul(inv, Elementwise.add(power, eye));
    }
    return inv;
  }

  private static INDArray identity(int c, DataType dt) {
    double[] m = new double[c * c];
    for (int r = 0; r < c; r++) {
      m[r * c + r] = 1.0;
    }
    return Nd4j.createFromArray(m).reshape(c, c).castTo(dt);
  }

  /** [C, C] lower-triangular ones, with or without the diagonal. */
  private static INDArray lower(int c, boolean diagonal, DataType dt) {
    double[] m = new double[c * c];
    for (int r = 0; r < c; r++) {
      for (int i = 0; i < (diagonal ? r + 1 : r); i++) {
        m[r * c + i] = 1.0;
      }
    }
    return Nd4j.createFromArray(m).reshape(c, c).castTo(dt);
  }
}
