package state

import (
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Kinds of keyed state, recorded in snapshots.
const (
	kindValue byte = 1
	kindList  byte = 2
	kindMap   byte = 3
)

func kindName(k byte) string {
	switch k {
	case kindValue:
		return "value"
	case kindList:
		return "list"
	case kindMap:
		return "map"
	case kindTable:
		return "table"
	}
	return fmt.Sprintf("kind %d", k)
}

// TimeDomain says which clock a timer follows.
type TimeDomain uint8

const (
	// EventTime timers fire when the watermark reaches them.
	EventTime TimeDomain = iota
	// ProcessingTime timers fire when the wall clock reaches them.
	ProcessingTime
)

func (d TimeDomain) String() string {
	if d == ProcessingTime {
		return "processing time"
	}
	return "event time"
}

// stateTable is the per-key-group storage of one named state.
type stateTable interface {
	kind() byte
	// encodeGroup appends the entries of key group g; n is their count.
	encodeGroup(dst []byte, g int) (out []byte, n int)
	// decodeGroup adds the entries of a snapshot of key group g.
	decodeGroup(g int, d *decoder) error
	// keys appends the keys present in key group g.
	keys(g int, dst []string) []string
}

type restored struct {
	kind   byte
	groups map[int][]byte // key group -> payload
}

// Backend is the in-memory keyed state of one keyed operator subtask: named
// value, list and map states and event- and processing-time timers, each
// entry scoped to a key and stored by key group, so that a snapshot is one
// blob per key group and a restore at another parallelism hands each
// subtask the key groups it owns. It is used by one goroutine.
type Backend struct {
	maxKG, lo, hi int
	tables        map[string]stateTable
	pending       map[string]*restored // restored but not yet registered

	curGroup int
	curKey   string
	hasKey   bool

	timers [2]timerQueue
}

// NewBackend returns an empty backend owning key groups [lo, hi) of
// maxKeyGroups (see KeyGroupRange).
func NewBackend(maxKeyGroups, lo, hi int) (*Backend, error) {
	if maxKeyGroups < 1 || lo < 0 || hi > maxKeyGroups || lo > hi {
		return nil, fmt.Errorf("state backend: key groups [%d, %d) of %d", lo, hi, maxKeyGroups)
	}
	b := &Backend{maxKG: maxKeyGroups, lo: lo, hi: hi, tables: map[string]stateTable{}, pending: map[string]*restored{}}
	for i := range b.timers {
		b.timers[i].set = map[timerKey]int{}
	}
	return b, nil
}

// KeyGroups returns the owned range [lo, hi).
func (b *Backend) KeyGroups() (lo, hi int) { return b.lo, b.hi }

// MaxKeyGroups returns the number of key groups of the job.
func (b *Backend) MaxKeyGroups() int { return b.maxKG }

// SetCurrentKey makes key (an encoded key, see KeyCodec) the key that
// state handles and timers read and write.
func (b *Backend) SetCurrentKey(key []byte) error {
	h, err := HashKey(key)
	if err != nil {
		return err
	}
	g := KeyGroup(h, b.maxKG)
	if g < b.lo || g >= b.hi {
		return fmt.Errorf("key group %d of key %q is not owned by this subtask (owns [%d, %d))", g, key, b.lo, b.hi)
	}
	b.SetCurrentKeyInGroup(g, string(key))
	return nil
}

// SetCurrentKeyInGroup sets the current key whose key group the caller
// already knows (the engine computes it with the partitioning hash).
func (b *Backend) SetCurrentKeyInGroup(g int, key string) {
	b.curGroup, b.curKey, b.hasKey = g, key, true
}

// CurrentKey returns the current encoded key (nil when none is set).
func (b *Backend) CurrentKey() []byte {
	if !b.hasKey {
		return nil
	}
	return []byte(b.curKey)
}

// CurrentKeyGroup returns the current key's group (-1 when none).
func (b *Backend) CurrentKeyGroup() int {
	if !b.hasKey {
		return -1
	}
	return b.curGroup
}

func (b *Backend) slot() (int, string) {
	if !b.hasKey {
		panic("state: no current key (use state inside KeyedContext.ForEachKey, OnTimer or after SetCurrentKey)")
	}
	return b.curGroup - b.lo, b.curKey
}

// ForEachKey calls fn once for every key that has an entry in the named
// state, with that key set as current key. The keys are collected first,
// so fn may update or clear the state.
func (b *Backend) ForEachKey(name string, fn func() error) error {
	t, ok := b.tables[name]
	if !ok {
		return fmt.Errorf("state %q is not registered", name)
	}
	var keys []string
	for g := b.lo; g < b.hi; g++ {
		keys = t.keys(g-b.lo, keys[:0])
		for _, k := range keys {
			b.SetCurrentKeyInGroup(g, k)
			if err := fn(); err != nil {
				return err
			}
		}
	}
	return nil
}

func register[S stateTable](b *Backend, name string, k byte, mk func() S) (S, error) {
	var zero S
	if name == "" {
		return zero, errors.New("state: empty name")
	}
	if t, ok := b.tables[name]; ok {
		if s, ok := t.(S); ok {
			return s, nil
		}
		return zero, fmt.Errorf("state %q: registered as %s with another type", name, kindName(t.kind()))
	}
	s := mk()
	if p, ok := b.pending[name]; ok {
		if p.kind != k {
			return zero, fmt.Errorf("state %q: snapshot holds %s state, registered as %s", name, kindName(p.kind), kindName(k))
		}
		for g, data := range p.groups {
			d := &decoder{b: data}
			if err := s.decodeGroup(g-b.lo, d); err != nil {
				return zero, fmt.Errorf("state %q: restore key group %d: %w", name, g, err)
			}
		}
		delete(b.pending, name)
	}
	b.tables[name] = s
	return s, nil
}

// Snapshot encodes the state and timers of every owned key group that holds
// any, as key group -> bytes. Restored states that no handle registered yet
// are carried over unchanged.
func (b *Backend) Snapshot() (map[int][]byte, error) {
	if err := b.prepareTables(); err != nil {
		return nil, err
	}
	defer b.releaseTables()
	names := make([]string, 0, len(b.tables)+len(b.pending))
	for n := range b.tables {
		names = append(names, n)
	}
	for n := range b.pending {
		names = append(names, n)
	}
	slices.Sort(names)
	timers := [2]map[int][]timer{b.timers[0].byGroup(), b.timers[1].byGroup()}
	out := map[int][]byte{}
	// Every group is encoded into one growing buffer and sliced from it (a
	// group's bytes are not written again once sliced, so growth leaves
	// them valid): no copy per group.
	size := 0
	for _, t := range b.tables {
		if ts, ok := t.(*tableState); ok {
			for _, p := range ts.snap {
				size += len(p) + 16
			}
		}
	}
	buf := make([]byte, 0, size)
	var payload []byte
	var body [][]byte // per state of the group: payload, or nil
	for g := b.lo; g < b.hi; g++ {
		at := len(buf)
		nStates := 0
		body = body[:0]
		for _, name := range names {
			var p []byte
			if t, ok := b.tables[name]; ok {
				if ts, ok := t.(*tableState); ok {
					p = ts.snap[g]
				} else {
					var n int
					payload, n = t.encodeGroup(payload[len(payload):], g-b.lo)
					if n > 0 {
						p = payload
					}
				}
			} else if data, ok := b.pending[name].groups[g]; ok {
				p = data
			}
			if len(p) > 0 {
				nStates++
			}
			body = append(body, p)
		}
		nTimers := len(timers[0][g]) + len(timers[1][g])
		if nStates == 0 && nTimers == 0 {
			payload = payload[:0]
			continue
		}
		buf = binary.AppendUvarint(buf, uint64(nStates))
		for i, name := range names {
			p := body[i]
			if len(p) == 0 {
				continue
			}
			k := byte(0)
			if t, ok := b.tables[name]; ok {
				k = t.kind()
			} else {
				k = b.pending[name].kind
			}
			buf = appendBytes(buf, []byte(name))
			buf = append(buf, k)
			buf = appendBytes(buf, p)
		}
		payload = payload[:0]
		buf = binary.AppendUvarint(buf, uint64(nTimers))
		for d, byG := range timers {
			for _, t := range byG[g] {
				buf = append(buf, byte(d))
				buf = binary.AppendVarint(buf, t.ts)
				buf = appendBytes(buf, []byte(t.key))
			}
		}
		out[g] = buf[at:len(buf):len(buf)]
	}
	return out, nil
}

// Restore adds the snapshot of key groups (as produced by Snapshot, from
// one or several subtasks of a previous run) to the backend. Key groups it
// does not own are ignored, so every subtask of a rescaled operator can be
// handed every old snapshot. States are decoded when their handle is
// registered.
func (b *Backend) Restore(groups map[int][]byte) error {
	for g, data := range groups {
		if g < b.lo || g >= b.hi {
			continue
		}
		if err := b.restoreGroup(g, data); err != nil {
			return fmt.Errorf("restore key group %d: %w", g, err)
		}
	}
	return nil
}

func (b *Backend) restoreGroup(g int, data []byte) error {
	d := &decoder{b: data}
	nStates, err := d.count()
	if err != nil {
		return err
	}
	for range nStates {
		name, err := d.bytes()
		if err != nil {
			return err
		}
		k, err := d.byte()
		if err != nil {
			return err
		}
		if k < kindValue || k > kindTable {
			return fmt.Errorf("state %q: unknown kind %d", name, k)
		}
		payload, err := d.bytes()
		if err != nil {
			return err
		}
		if t, ok := b.tables[string(name)]; ok {
			if t.kind() != k {
				return fmt.Errorf("state %q: snapshot holds %s state, registered as %s", name, kindName(k), kindName(t.kind()))
			}
			if err := t.decodeGroup(g-b.lo, &decoder{b: payload}); err != nil {
				return fmt.Errorf("state %q: %w", name, err)
			}
			continue
		}
		p, ok := b.pending[string(name)]
		if !ok {
			p = &restored{kind: k, groups: map[int][]byte{}}
			b.pending[string(name)] = p
		} else if p.kind != k {
			return fmt.Errorf("state %q: snapshots disagree on its kind", name)
		}
		if _, dup := p.groups[g]; dup {
			return fmt.Errorf("state %q: key group %d restored twice", name, g)
		}
		p.groups[g] = slices.Clone(payload)
	}
	nTimers, err := d.count()
	if err != nil {
		return err
	}
	for range nTimers {
		dom, err := d.byte()
		if err != nil {
			return err
		}
		if dom > byte(ProcessingTime) {
			return fmt.Errorf("timer: unknown time domain %d", dom)
		}
		ts, err := d.varint()
		if err != nil {
			return err
		}
		key, err := d.bytes()
		if err != nil {
			return err
		}
		b.timers[dom].add(timer{ts: ts, group: g, key: string(key)})
	}
	if len(d.b) != 0 {
		return fmt.Errorf("%d trailing bytes", len(d.b))
	}
	return nil
}

// Timers.

type timerKey struct {
	ts  int64
	key string
}

type timer struct {
	ts    int64
	group int
	key   string
}

// timerQueue is a min-heap of timers ordered by (time, key) with a set for
// deduplication and lazy deletion: one timer per (key, time).
type timerQueue struct {
	h   timerHeap
	set map[timerKey]int // -> key group
}

func (q *timerQueue) add(t timer) bool {
	k := timerKey{t.ts, t.key}
	if _, ok := q.set[k]; ok {
		return false
	}
	q.set[k] = t.group
	heap.Push(&q.h, t)
	return true
}

func (q *timerQueue) remove(ts int64, key string) {
	delete(q.set, timerKey{ts, key})
}

// peek returns the earliest live timer.
func (q *timerQueue) peek() (timer, bool) {
	for len(q.h) > 0 {
		t := q.h[0]
		if g, ok := q.set[timerKey{t.ts, t.key}]; ok && g == t.group {
			return t, true
		}
		heap.Pop(&q.h)
	}
	return timer{}, false
}

func (q *timerQueue) byGroup() map[int][]timer {
	out := map[int][]timer{}
	for k, g := range q.set {
		out[g] = append(out[g], timer{ts: k.ts, group: g, key: k.key})
	}
	for _, ts := range out {
		slices.SortFunc(ts, cmpTimer)
	}
	return out
}

func cmpTimer(a, b timer) int {
	if a.ts != b.ts {
		if a.ts < b.ts {
			return -1
		}
		return 1
	}
	return strings.Compare(a.key, b.key)
}

type timerHeap []timer

func (h timerHeap) Len() int           { return len(h) }
func (h timerHeap) Less(i, j int) bool { return cmpTimer(h[i], h[j]) < 0 }
func (h timerHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *timerHeap) Push(x any)        { *h = append(*h, x.(timer)) }
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}

// RegisterTimer registers a timer for the current key at time ts (ms) in
// domain d. Registering the same (key, time) twice keeps one timer.
func (b *Backend) RegisterTimer(d TimeDomain, ts int64) {
	g, key := b.slot()
	b.timers[d].add(timer{ts: ts, group: g + b.lo, key: key})
}

// DeleteTimer removes the current key's timer at ts in domain d, if any.
func (b *Backend) DeleteTimer(d TimeDomain, ts int64) {
	_, key := b.slot()
	b.timers[d].remove(ts, key)
}

// NextTimer returns the time of the earliest timer of domain d.
func (b *Backend) NextTimer(d TimeDomain) (int64, bool) {
	t, ok := b.timers[d].peek()
	return t.ts, ok
}

// NumTimers returns the number of registered timers of domain d.
func (b *Backend) NumTimers(d TimeDomain) int { return len(b.timers[d].set) }

// FireTimers removes every timer of domain d at or before upTo, earliest
// first (ties by key), and calls fn with its time and its key set as
// current key. Timers that fn registers at or before upTo fire in the same
// call.
func (b *Backend) FireTimers(d TimeDomain, upTo int64, fn func(ts int64) error) error {
	q := &b.timers[d]
	for {
		t, ok := q.peek()
		if !ok || t.ts > upTo {
			return nil
		}
		heap.Pop(&q.h)
		q.remove(t.ts, t.key)
		b.SetCurrentKeyInGroup(t.group, t.key)
		if err := fn(t.ts); err != nil {
			return err
		}
	}
}

// Encoding helpers.

func appendBytes(dst, b []byte) []byte {
	return append(binary.AppendUvarint(dst, uint64(len(b))), b...)
}

type decoder struct{ b []byte }

var errTruncated = errors.New("truncated snapshot")

func (d *decoder) uvarint() (uint64, error) {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		return 0, errTruncated
	}
	d.b = d.b[n:]
	return v, nil
}

// count reads a uvarint element count, bounded by the bytes left (every
// element takes at least one byte).
func (d *decoder) count() (int, error) {
	v, err := d.uvarint()
	if err != nil {
		return 0, err
	}
	if v > uint64(len(d.b)) {
		return 0, fmt.Errorf("count %d exceeds the %d bytes left", v, len(d.b))
	}
	return int(v), nil
}

func (d *decoder) varint() (int64, error) {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		return 0, errTruncated
	}
	d.b = d.b[n:]
	return v, nil
}

func (d *decoder) byte() (byte, error) {
	if len(d.b) == 0 {
		return 0, errTruncated
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c, nil
}

// bytes reads a length-prefixed byte string (aliasing the input).
func (d *decoder) bytes() ([]byte, error) {
	n, err := d.uvarint()
	if err != nil {
		return nil, err
	}
	if n > uint64(len(d.b)) {
		return nil, errTruncated
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v, nil
}
