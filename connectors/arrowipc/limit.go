package arrowipc

import (
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// The ipc package trusts the lengths written in a file's metadata and
// allocates what they say before reading, so a corrupt length can ask for
// terabytes. When the input's size is known, allocations are capped at
// maxExpansion times that size (room for compressed buffers) plus
// allocSlack; a larger request panics inside the ipc package and the
// reader's recover turns it into an error.
const (
	maxExpansion = 64
	allocSlack   = 1 << 20
)

type limitAllocator struct {
	memory.Allocator
	limit int
}

func (a *limitAllocator) Allocate(size int) []byte {
	if size > a.limit {
		panic(fmt.Sprintf("buffer of %d bytes is larger than the input allows (%d)", size, a.limit))
	}
	return a.Allocator.Allocate(size)
}

func (a *limitAllocator) Reallocate(size int, b []byte) []byte {
	if size > a.limit {
		panic(fmt.Sprintf("buffer of %d bytes is larger than the input allows (%d)", size, a.limit))
	}
	return a.Allocator.Reallocate(size, b)
}

// limited wraps mem with a cap derived from size; size < 0 means unknown.
func limited(mem memory.Allocator, size int64) memory.Allocator {
	if size < 0 {
		return mem
	}
	limit := size*maxExpansion + allocSlack
	if limit > int64(int(^uint(0)>>1)) || limit < 0 {
		return mem
	}
	return &limitAllocator{Allocator: mem, limit: int(limit)}
}

// sizeOf finds the size of an input that can tell it, or -1.
func sizeOf(r any) int64 {
	switch v := r.(type) {
	case interface{ Size() int64 }:
		return v.Size()
	case io.Seeker:
		cur, err := v.Seek(0, io.SeekCurrent)
		if err != nil {
			return -1
		}
		end, err := v.Seek(0, io.SeekEnd)
		if _, err2 := v.Seek(cur, io.SeekStart); err != nil || err2 != nil {
			return -1
		}
		return end - cur
	}
	return -1
}
