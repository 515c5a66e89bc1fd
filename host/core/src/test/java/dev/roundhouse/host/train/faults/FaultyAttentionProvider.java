package dev.roundhouse.host.train.faults;

import dev.roundhouse.api.Attention;
import dev.roundhouse.api.AttentionContext;
import dev.roundhouse.api.AttentionProvider;
import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Shapes;
import dev.roundhouse.tensor.Tensor;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Test attention {@code "faulty"}: an identity attention (no parameters) that fails on purpose, by {@code fail}:
 * "build" (build() throws), "constructor" (the component's constructor throws), "forward" (forward throws), "shape"
 * (forward returns [B*T, d]), "backward" (its backward closure throws), "unshared" (a gain parameter made with
 * {@code new Parameter} instead of the context's factory), "none".
 */
public class FaultyAttentionProvider implements AttentionProvider<FaultyAttentionProvider.Config> {
  /** {@code fail}: which call fails. */
  public record Config(String fail) {
    public Config {
      fail = fail == null ? "none" : fail;
    }
  }

  @Override
  public String id() {
    return "faulty";
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Attention build(Config config, AttentionContext context) {
    if (config.fail().equals("build")) {
      throw new IllegalStateException("fixture: build exploded");
    }
    Faulty f = new Faulty(config.fail());
    if (config.fail().equals("unshared")) {
      f.own = new Parameter("layers." + context.layerIndex() + ".attn.own", ParamRole.NORM,
          Nd4j.ones(DataType.FLOAT, context.dModel()));
    }
    return f;
  }

  /** The component. */
  static final class Faulty implements Attention {
    private final String fail;
    private Parameter own;

    Faulty(String fail) {
      if (fail.equals("constructor")) {
        throw new UnsupportedOperationException("fixture: constructor exploded");
      }
      this.fail = fail;
    }

    @Override
    public Tensor forward(Tensor x) {
      switch (fail) {
        case "forward":
          throw new ArithmeticException("fixture: forward exploded");
        case "shape":
          return Shapes.reshape(x, x.size(0) * x.size(1), x.size(2));
        case "backward":
          return Tensor.result(x.data().dup(), g -> {
            throw new IllegalStateException("fixture: backward exploded");
          }, x);
        default:
          return Tensor.result(x.data().dup(), g -> {
            if (x.requiresGrad()) {
              x.addGrad(g);
            }
          }, x);
      }
    }

    @Override
    public List<Parameter> parameters() {
      return own == null ? List.of() : List.of(own);
    }
  }
}
