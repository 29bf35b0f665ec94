// The machine's memory bandwidth as the STREAM triad measures it, for the bound on decoding speed.
#pragma once

namespace drawbridge::bench {

/// Bytes per second of a[i] = b[i] + s * c[i] over arrays far larger than the caches, on every
/// core (OpenMP), the best of several passes; the three arrays' bytes count, as STREAM counts.
double triadBandwidth();

} // namespace drawbridge::bench
