package catutil

import "math/bits"

// StrTable is a set of distinct strings, each given an id in insertion
// order (0, 1, ...). It is an open-addressing hash table (linear probing,
// load factor at most 1/2) over a copy of the strings in one byte arena,
// faster than a map[string]int32 on the short labels of categorical
// columns: a string of up to 7 bytes is its own key (its bytes and its
// length packed into a uint64), so finding it is one multiplication and
// usually one comparison, with no string hashing and no byte compare. A
// longer string is keyed by a 56-bit hash of its bytes and compared with
// the arena.
//
// The zero StrTable is empty and ready to use. Find is safe for
// concurrent use when nothing is being added.
type StrTable struct {
	slots []strSlot // len a power of two, or 0
	shift uint      // 64 - log2(len(slots))
	arena []byte
	ends  []int32 // ends[id] is the end of string id in arena
}

type strSlot struct {
	tag uint64
	id  int32 // id+1; 0 is an empty slot
}

// longTag marks the tags of strings longer than 7 bytes: a short string's
// tag has its length (0..7) in the top byte.
const longTag = 0xff << 56

// Len returns the number of strings.
func (t *StrTable) Len() int { return len(t.ends) }

// String returns string id (a copy).
func (t *StrTable) String(id int32) string { return string(t.bytes(id)) }

func (t *StrTable) bytes(id int32) []byte {
	start := int32(0)
	if id > 0 {
		start = t.ends[id-1]
	}
	return t.arena[start:t.ends[id]]
}

// Find returns the id of s, or -1 when s is not in the table.
func (t *StrTable) Find(s string) int32 {
	if len(t.slots) == 0 {
		return -1
	}
	tag := strTag(s)
	mask := len(t.slots) - 1
	for i := int(tag * fib >> t.shift); ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.id == 0 {
			return -1
		}
		if sl.tag == tag && (tag < longTag || string(t.bytes(sl.id-1)) == s) {
			return sl.id - 1
		}
	}
}

// Add returns the id of s, adding s (copied) when it is new.
func (t *StrTable) Add(s string) (id int32, added bool) {
	if 2*(len(t.ends)+1) > len(t.slots) {
		t.grow()
	}
	tag := strTag(s)
	mask := len(t.slots) - 1
	i := int(tag * fib >> t.shift)
	for ; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.id == 0 {
			break
		}
		if sl.tag == tag && (tag < longTag || string(t.bytes(sl.id-1)) == s) {
			return sl.id - 1, false
		}
	}
	id = int32(len(t.ends))
	t.arena = append(t.arena, s...)
	t.ends = append(t.ends, int32(len(t.arena)))
	t.slots[i] = strSlot{tag: tag, id: id + 1}
	return id, true
}

func (t *StrTable) grow() {
	n := max(16, 2*len(t.slots))
	old := t.slots
	t.slots = make([]strSlot, n)
	t.shift = uint(64 - bits.TrailingZeros(uint(n)))
	mask := n - 1
	for _, sl := range old {
		if sl.id == 0 {
			continue
		}
		i := int(sl.tag * fib >> t.shift)
		for t.slots[i].id != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = sl
	}
}

// fib is 2^64 / the golden ratio: Fibonacci hashing spreads the tags over
// the top bits of the product.
const fib = 0x9e3779b97f4a7c15

// strTag returns the tag of s: for up to 7 bytes the bytes (little endian)
// with the length in the top byte, exact; for longer strings longTag with
// a 56-bit hash of the bytes.
func strTag(s string) uint64 {
	if len(s) < 8 {
		return short64(s) | uint64(len(s))<<56
	}
	const m = 0xbf58476d1ce4e5b9
	h := uint64(len(s)) * fib
	for len(s) >= 8 {
		h = (h ^ le64(s)) * m
		h ^= h >> 31
		s = s[8:]
	}
	if len(s) > 0 {
		h = (h ^ short64(s)) * m
		h ^= h >> 31
	}
	h *= fib
	return h>>8 | longTag
}

func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// short64 packs the bytes of s (len(s) < 8) little endian into a uint64
// with two overlapping loads.
func short64(s string) uint64 {
	switch n := len(s); {
	case n >= 4:
		return uint64(le32(s)) | uint64(le32(s[n-4:]))<<(8*(n-4))
	case n > 0:
		return uint64(s[0]) | uint64(s[n/2])<<(8*(n/2)) | uint64(s[n-1])<<(8*(n-1))
	}
	return 0
}

func le32(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}
