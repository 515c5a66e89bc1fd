/**
 * Template plugin that {@code new-plugin.sh} copies: a plain-SGD optimizer to rename and change.
 */
package com.example.roundhouse.myplugin;
