package dev.roundhouse.plugins.precision;

import org.pf4j.Plugin;

/** PF4J entry point of the precision plugin jar; its extensions are found through the extension index. */
public class PrecisionPlugin extends Plugin {}
