/** Template plugin that {@code new-plugin.sh --kind precision} copies: fp32 with a static loss scale, to rename and change. */
package com.example.roundhouse.myprecision;
