/**
 * Example plugin: a parameter-free {@code hash} router (see the project's README).
 */
package com.example.roundhouse.hash;
