package generate

import "math"

// SplitMix64 counter streams, exactly as in peers/datagen.py; see doc.go.
const (
	gamma     = 0x9E3779B97F4A7C15
	streamMul = 0xD1B54A32D192ED03
	mixM1     = 0xBF58476D1CE4E5B9
	mixM2     = 0x94D049BB133111EB
	sqrt3     = 1.7320508075688772
)

// mix64 is the SplitMix64 finaliser.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * mixM1
	z = (z ^ (z >> 27)) * mixM2
	return z ^ (z >> 31)
}

// stream is one counter-based random stream: value i is
// mix64(base + (i+1)*gamma), the i-th output of SplitMix64 started at base.
type stream struct{ base uint64 }

func newStream(seed, id uint64) stream {
	return stream{base: mix64(seed*gamma + id*streamMul)}
}

func (s stream) u64(i uint64) uint64 { return mix64(s.base + (i+1)*gamma) }

// unif is a float64 in [0, 1) with 53 random bits.
func (s stream) unif(i uint64) float64 { return float64(s.u64(i)>>11) * 0x1p-53 }

// ih4 is the Irwin-Hall(4) approximation of a N(0,1) draw number i; it
// uses the uniforms 4i..4i+3, added in that order.
func (s stream) ih4(i uint64) float64 {
	x := s.unif(4 * i)
	x = x + s.unif(4*i+1)
	x = x + s.unif(4*i+2)
	x = x + s.unif(4*i+3)
	return (x - 2.0) * sqrt3
}

func sigmoid(z float64) float64 { return 1.0 / (1.0 + math.Exp(-z)) }

// Stream numbers. Fixed streams are below 256; the streams of the hidden
// model of concept c are (c+1)<<8 | tag, so they never collide.
const (
	streamNumeric     = 1 // numeric feature draws (blobs: cluster noise), ih4 at r*D+j
	streamCategorical = 2 // categorical value draws, unif at r*C+f
	streamLabel       = 3 // Bernoulli label draw, unif at r
	streamLabelNoise  = 4 // classification flip unif at r; regression noise ih4 at r
	streamJitter      = 5 // event-time jitter, unif at r
	streamCluster     = 6 // blobs cluster assignment, unif at r

	tagWeights    = 1 // numeric weights at j, bias at D; blobs centers at k*D+j
	tagCatWeights = 2 // categorical weights at key ((f+1)<<32 | v)
)

func conceptStream(seed, concept, tag uint64) stream {
	return newStream(seed, (concept+1)<<8|tag)
}
