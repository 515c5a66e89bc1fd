package com.example.roundhouse.learned;

import org.pf4j.Plugin;

/** PF4J entry point of this jar. Nothing to start or stop: the extension is found through @Extension. */
public class LearnedRouterPlugin extends Plugin {}
