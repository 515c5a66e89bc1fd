/** Example plugin: a learned top-k router ({@code "learned-topk"}) with a parameter and differentiable gates. */
package com.example.roundhouse.learned;
