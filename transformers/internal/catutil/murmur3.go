package catutil

import (
	"math/bits"
	"unsafe"
)

// Seed is the MurmurHash3 seed Spark ML uses for HashingTF and
// FeatureHasher.
const Seed = 42

// Murmur3 returns MurmurHash3_x86_32 of data with seed (Austin Appleby's
// reference algorithm, as Guava's murmur3_32_fixed and scikit-learn's
// murmurhash3_32 compute it), as a signed 32-bit value like Java's.
func Murmur3(data []byte, seed uint32) int32 {
	const c1, c2 = 0xcc9e2d51, 0x1b873593
	h := seed
	n := len(data)
	i := 0
	for ; i+4 <= n; i += 4 {
		k := uint32(data[i]) | uint32(data[i+1])<<8 | uint32(data[i+2])<<16 | uint32(data[i+3])<<24
		k *= c1
		k = bits.RotateLeft32(k, 15)
		k *= c2
		h ^= k
		h = bits.RotateLeft32(h, 13)
		h = h*5 + 0xe6546b64
	}
	var k uint32
	switch n - i {
	case 3:
		k ^= uint32(data[i+2]) << 16
		fallthrough
	case 2:
		k ^= uint32(data[i+1]) << 8
		fallthrough
	case 1:
		k ^= uint32(data[i])
		k *= c1
		k = bits.RotateLeft32(k, 15)
		k *= c2
		h ^= k
	}
	h ^= uint32(n)
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return int32(h)
}

// Murmur3String is Murmur3 of the UTF-8 bytes of s, without copying them.
func Murmur3String(s string, seed uint32) int32 {
	return Murmur3(unsafe.Slice(unsafe.StringData(s), len(s)), seed)
}

// HashIndex returns the bucket of term among n (n > 0), as Spark's
// HashingTF and FeatureHasher compute it: the non-negative remainder of
// Murmur3(utf8(term), Seed) divided by n.
func HashIndex(term string, n int) int {
	return NonNegativeMod(Murmur3String(term, Seed), n)
}

// NonNegativeMod returns h mod n in [0, n) for n > 0.
func NonNegativeMod(h int32, n int) int {
	r := int(h) % n
	if r < 0 {
		r += n
	}
	return r
}
