package httpapi

import (
	"math/bits"
	"sync"
)

// poolAllocator is the server's default memory.Allocator: buffers of
// 4 KiB to 16 MiB come from per-size-class sync.Pools (powers of two)
// and go back to them when arrow frees them, so the batches a model
// builds for each request (a 1,000-row request's 800 KB feature
// matrix) are reused instead of left to the garbage collector. Smaller
// and larger buffers are plain Go allocations. Memory is zeroed, as
// memory.GoAllocator's is.
type poolAllocator struct {
	classes [poolClasses]sync.Pool // of *[]byte, len == cap == class size
}

const (
	poolMinShift = 12 // 4 KiB
	poolMaxShift = 24 // 16 MiB
	poolClasses  = poolMaxShift - poolMinShift + 1
)

func newPoolAllocator() *poolAllocator { return &poolAllocator{} }

// class returns the size class of n bytes, or -1 when n is not pooled.
func poolClass(n int) int {
	if n < 1<<poolMinShift || n > 1<<poolMaxShift {
		return -1
	}
	return bits.Len(uint(n-1)) - poolMinShift
}

func (a *poolAllocator) Allocate(n int) []byte {
	c := poolClass(n)
	if c < 0 {
		return make([]byte, n)
	}
	if p, ok := a.classes[c].Get().(*[]byte); ok {
		b := (*p)[:n]
		clear(b)
		return b
	}
	return make([]byte, n, 1<<(c+poolMinShift))
}

func (a *poolAllocator) Reallocate(n int, b []byte) []byte {
	if n <= cap(b) {
		old := len(b)
		b = b[:n]
		if n > old {
			clear(b[old:])
		}
		return b
	}
	out := a.Allocate(n)
	copy(out, b)
	a.Free(b)
	return out
}

func (a *poolAllocator) Free(b []byte) {
	c := poolClass(cap(b))
	if c < 0 || cap(b) != 1<<(c+poolMinShift) {
		return // not one of ours (or not a class size): the GC takes it
	}
	b = b[:cap(b)]
	a.classes[c].Put(&b)
}
