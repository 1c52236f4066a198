package httpapi

import (
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

func TestPoolAllocator(t *testing.T) {
	a := newPoolAllocator()
	for _, tc := range []struct{ n, class int }{
		{0, -1}, {4095, -1}, {4096, 0}, {4097, 1}, {8192, 1}, {800_000, 8}, {16 << 20, 12}, {16<<20 + 1, -1},
	} {
		if got := poolClass(tc.n); got != tc.class {
			t.Errorf("poolClass(%d) = %d, want %d", tc.n, got, tc.class)
		}
	}
	b := a.Allocate(5000)
	if len(b) != 5000 || cap(b) != 8192 {
		t.Fatalf("len %d cap %d", len(b), cap(b))
	}
	for i := range b {
		b[i] = 0xff
	}
	b = a.Reallocate(6000, b) // in place: the tail is zeroed
	if len(b) != 6000 || b[4999] != 0xff || b[5000] != 0 || b[5999] != 0 {
		t.Fatalf("reallocate in place: len %d", len(b))
	}
	b = a.Reallocate(9000, b) // to the next class, contents kept
	if len(b) != 9000 || cap(b) != 16384 || b[0] != 0xff || b[8999] != 0 {
		t.Fatalf("reallocate grow: len %d cap %d", len(b), cap(b))
	}
	a.Free(b)
	// Whatever comes back from the pool is zeroed.
	for range 10 {
		c := a.Allocate(10000)
		for i, v := range c {
			if v != 0 {
				t.Fatalf("byte %d of a reused buffer is %#x", i, v)
			}
		}
		for i := range c {
			c[i] = 1
		}
		a.Free(c)
	}
	a.Free(make([]byte, 100)) // foreign and small: ignored
	a.Free(make([]byte, 5000))

	// Through arrow's buffers, as the server uses it.
	mem := memory.NewCheckedAllocator(a)
	defer mem.AssertSize(t, 0)
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(100_000)
	buf.Resize(300_000)
	buf.Release()
}

func BenchmarkPoolAllocator(b *testing.B) {
	for _, bc := range []struct {
		name string
		mem  memory.Allocator
	}{{"pool", newPoolAllocator()}, {"go", memory.NewGoAllocator()}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				bc.mem.Free(bc.mem.Allocate(800_000))
			}
		})
	}
}
