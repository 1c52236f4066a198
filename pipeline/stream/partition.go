package stream

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/pipeline/state"
	"github.com/eddyml/eddy/pipeline/table"
)

// Hash partitioning. A row's key hash is state.KeyCodec's: deterministic
// across processes (FNV-1a for bytes, the splitmix64 finaliser for
// fixed-width values), so a key maps to the same key group after a restart,
// and equal to state.HashKey of the row's encoded key, so keyed state and
// timers are stored by the same key group. Key group g of K goes to subtask
// g*n/K, as in Flink's KeyGroupRangeAssignment, so that keyed state is
// redistributed by key group when parallelism changes.

// keySelector resolves key column names against a batch's schema, caching
// the indices for the last schema seen.
type keySelector struct {
	names  []string
	schema *arrow.Schema
	idx    []int
}

func (k *keySelector) resolve(s *arrow.Schema) ([]int, error) {
	if k.schema != nil && (k.schema == s || k.schema.Equal(s)) {
		return k.idx, nil
	}
	idx, err := table.FieldIndices(s, k.names...)
	if err != nil {
		return nil, fmt.Errorf("key by: %w", err)
	}
	k.schema, k.idx = s, idx
	return idx, nil
}

// hashPartitioner splits batches by key for one upstream subtask. Its
// buffers are reused from batch to batch.
type hashPartitioner struct {
	keys    *state.KeyCodec
	n       int
	groups  int
	hashes  []uint64
	part    []int32
	counts  []int
	indices [][]int
}

func newHashPartitioner(keys []string, n, maxKeyGroups int) *hashPartitioner {
	return &hashPartitioner{keys: state.NewKeyCodec(keys...), n: n, groups: maxKeyGroups,
		counts: make([]int, n), indices: make([][]int, n)}
}

// subtaskOf maps a key hash to a subtask through its key group.
func subtaskOf(h uint64, groups, n int) int {
	return state.SubtaskOf(state.KeyGroup(h, groups), groups, n)
}

// split returns, for each subtask, the rows of rec whose key maps to it (nil
// when none). The caller owns one Release of each non-nil result; rec is
// borrowed. A batch whose rows all map to one subtask is passed through
// without a copy.
//
// It uses table.Take per partition; when pipeline/table grows a
// PartitionByHash kernel this can switch to it (keeping this hash, which
// defines key groups).
func (p *hashPartitioner) split(mem memory.Allocator, rec arrow.Record) ([]arrow.Record, error) {
	if err := p.keys.Bind(rec); err != nil {
		return nil, err
	}
	rows := int(rec.NumRows())
	p.hashes = p.keys.Hash(p.hashes)
	var err error
	if cap(p.part) < rows {
		p.part = make([]int32, rows)
	}
	p.part = p.part[:rows]
	clear(p.counts)
	for i, h := range p.hashes {
		s := subtaskOf(h, p.groups, p.n)
		p.part[i] = int32(s)
		p.counts[s]++
	}
	out := make([]arrow.Record, p.n)
	for s, c := range p.counts {
		if c == rows {
			rec.Retain()
			out[s] = rec
			return out, nil
		}
		p.indices[s] = p.indices[s][:0]
	}
	for i, s := range p.part {
		p.indices[s] = append(p.indices[s], i)
	}
	for s, idx := range p.indices {
		if len(idx) == 0 {
			continue
		}
		if out[s], err = table.Take(mem, rec, idx); err != nil {
			releaseAll(out)
			return nil, fmt.Errorf("hash partition: %w", err)
		}
	}
	return out, nil
}

func releaseAll(recs []arrow.Record) {
	for i, r := range recs {
		if r != nil {
			r.Release()
			recs[i] = nil
		}
	}
}
