package com.example.roundhouse.hash;

import org.pf4j.Plugin;

/** PF4J entry point of this jar. Nothing to start or stop: the extension is found through @Extension. */
public class HashRouterPlugin extends Plugin {}
