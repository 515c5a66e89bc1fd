package dev.roundhouse.plugins.routers;

import org.pf4j.Plugin;

/** PF4J entry point of the routers plugin jar; its extensions are found through the extension index. */
public class RoutersPlugin extends Plugin {}
