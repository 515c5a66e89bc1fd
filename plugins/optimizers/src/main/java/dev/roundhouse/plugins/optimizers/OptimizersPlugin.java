package dev.roundhouse.plugins.optimizers;

import org.pf4j.Plugin;

/** PF4J entry point of the optimizers plugin jar; its extensions are found through the extension index. */
public class OptimizersPlugin extends Plugin {}
