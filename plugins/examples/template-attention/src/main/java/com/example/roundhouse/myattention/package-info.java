/** Template plugin that {@code new-plugin.sh --kind attention} copies: single-head causal attention to rename and change. */
package com.example.roundhouse.myattention;
