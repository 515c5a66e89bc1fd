package dev.roundhouse.plugins.attention;

import org.pf4j.Plugin;

/** PF4J entry point of the attention plugin jar; its extensions are found through the extension index. */
public class AttentionPlugin extends Plugin {}
