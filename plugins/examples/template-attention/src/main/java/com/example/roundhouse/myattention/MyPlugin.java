package com.example.roundhouse.myattention;

import org.pf4j.Plugin;

/** PF4J entry point of this jar (named by Plugin-Class in pom.xml). Extensions are found through @Extension. */
public class MyPlugin extends Plugin {}
