package state

import (
	"fmt"
	"slices"
)

// kindTable marks a Table's payload in snapshots.
const kindTable byte = 4

// Table is keyed state that an operator keeps in its own layout (for
// instance columnar accumulators indexed by key hash, see
// KeyCodec.Hash) instead of per-key handles, and that checkpoints still
// snapshot and restore by key group, so a job restored at another
// parallelism hands every subtask the keys it owns.
//
// SnapshotGroups returns the payload of every owned key group holding
// entries (key group -> bytes, in the table's own encoding); the backend
// calls it once per snapshot, from the subtask's goroutine, and copies the
// payloads before Backend.Snapshot returns, so the table may reuse their
// memory at its next SnapshotGroups. RestoreGroup
// adds the payload of one restored key group; it is called when the table
// is registered, for the groups this subtask owns. The payload is
// borrowed: copy what you keep.
type Table interface {
	SnapshotGroups() (map[int][]byte, error)
	RestoreGroup(group int, payload []byte) error
}

// tableState adapts a Table to the backend's per-group snapshot loop.
type tableState struct {
	b    *Backend
	t    Table
	snap map[int][]byte // SnapshotGroups of the snapshot in progress
}

func (s *tableState) kind() byte { return kindTable }

func (s *tableState) encodeGroup(dst []byte, g int) ([]byte, int) {
	p, ok := s.snap[g+s.b.lo]
	if !ok || len(p) == 0 {
		return dst, 0
	}
	return append(dst, p...), 1
}

func (s *tableState) decodeGroup(g int, d *decoder) error {
	if err := checkGroup(g, s.b.hi-s.b.lo); err != nil {
		return err
	}
	p := d.b
	d.b = nil
	return s.t.RestoreGroup(g+s.b.lo, p)
}

func (s *tableState) keys(int, []string) []string { return nil }

// RegisterTable registers t as the state called name of b. Entries
// restored under name are handed to t.RestoreGroup now. A name registers
// one table once; ForEachKey does not visit a table's keys.
func RegisterTable(b *Backend, name string, t Table) error {
	if t == nil {
		return fmt.Errorf("state %q: nil table", name)
	}
	if _, ok := b.tables[name]; ok {
		return fmt.Errorf("state %q is already registered", name)
	}
	_, err := register(b, name, kindTable, func() *tableState { return &tableState{b: b, t: t} })
	return err
}

// prepareTables asks every table for its snapshot payloads.
func (b *Backend) prepareTables() error {
	names := make([]string, 0, len(b.tables))
	for n, t := range b.tables {
		if _, ok := t.(*tableState); ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for _, n := range names {
		ts := b.tables[n].(*tableState)
		snap, err := ts.t.SnapshotGroups()
		if err != nil {
			return fmt.Errorf("state %q: snapshot: %w", n, err)
		}
		ts.snap = snap
	}
	return nil
}

func (b *Backend) releaseTables() {
	for _, t := range b.tables {
		if ts, ok := t.(*tableState); ok {
			ts.snap = nil
		}
	}
}
