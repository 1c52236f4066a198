package window

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/eddyml/eddy/pipeline/state"
	"github.com/eddyml/eddy/pipeline/stream"
	"github.com/eddyml/eddy/pipeline/table"
)

// Tumbling and sliding windows keep their state per window rather than per
// key: a pane is one window [start, end) of every key, its keys'
// accumulators stored column-wise in slots indexed by the key hash (the
// partitioning hash, so no per-row string key is built). A pane fires as a
// whole when the watermark passes end-1 (one check per watermark instead
// of one timer per key and window) and is dropped at end-1+lateness. The
// panes are a state.Table: checkpoints store them by key group, each entry
// a key and its window accumulator (accCodec), so a restore at another
// parallelism redistributes them by key.

// paneSlot is one key of a pane.
type paneSlot struct {
	key  string // encoded key (state.KeyCodec)
	hash uint64
	next int32  // next slot with the same hash (a 64-bit collision), -1 for none
	mark uint32 // batch that last queued an update of this slot
}

type pane struct {
	start, end int64
	fired      bool
	idx        map[uint64]int32 // key hash -> first slot with that hash
	slots      []paneSlot
	f          []float64 // layout.nf per slot
	u          []any     // layout.nu per slot
}

// panes is the timed-window state of one operator subtask.
type panes struct {
	o     *operator
	list  []*pane // by start
	last  *pane   // the pane of the previous row
	seq   uint32  // batch sequence, for paneSlot.mark
	upd   []paneRef
	order []keyOrder
	// Snapshot scratch.
	groups []int32
	refs   []paneRef
	snap   []byte
	tmp    []byte
	hash   []uint64
	key    []byte
	va     acc // view of one slot's accumulator
	bfast  []*builtin
	maxKG  int
}

type keyOrder struct {
	prefix uint64
	slot   int32
}

// keyPrefix returns the first 8 bytes of key as a big-endian number (zero
// padded): prefixes compare as the bytes do.
func keyPrefix(key string) uint64 {
	var b [8]byte
	copy(b[:], key)
	return binary.BigEndian.Uint64(b[:])
}

type paneRef struct {
	p *pane
	s int32
}

func newPanes(o *operator, maxKG int) *panes {
	ps := &panes{o: o, maxKG: maxKG}
	for _, im := range o.l.impls {
		b, ok := im.(*builtin)
		if !ok {
			ps.bfast = nil
			break
		}
		ps.bfast = append(ps.bfast, b)
	}
	return ps
}

// get returns the pane starting at start, creating it (fired already when
// the watermark passed its end).
func (ps *panes) get(start, end, wm int64) *pane {
	if p := ps.last; p != nil && p.start == start {
		return p
	}
	i, found := slices.BinarySearchFunc(ps.list, start, func(p *pane, s int64) int {
		switch {
		case p.start < s:
			return -1
		case p.start > s:
			return 1
		}
		return 0
	})
	if found {
		ps.last = ps.list[i]
		return ps.last
	}
	p := &pane{start: start, end: end, fired: end-1 <= wm, idx: map[uint64]int32{}}
	ps.list = slices.Insert(ps.list, i, p)
	ps.last = p
	return p
}

// view points ps.va at slot s of p.
func (ps *panes) view(p *pane, s int32) *acc {
	l := ps.o.l
	ps.va.start, ps.va.end, ps.va.fired = p.start, p.end, p.fired
	ps.va.f = p.f[int(s)*l.nf : int(s+1)*l.nf : int(s+1)*l.nf]
	ps.va.u = p.u[int(s)*l.nu : int(s+1)*l.nu : int(s+1)*l.nu]
	return &ps.va
}

// add appends a slot for key (hash h) with a fresh accumulator.
func (ps *panes) add(p *pane, h uint64, key string) int32 {
	l := ps.o.l
	s := int32(len(p.slots))
	next := int32(-1)
	if head, ok := p.idx[h]; ok {
		next = head
	}
	p.idx[h] = s
	p.slots = append(p.slots, paneSlot{key: key, hash: h, next: next})
	p.f = append(p.f, make([]float64, l.nf)...)
	if l.nu > 0 {
		p.u = append(p.u, make([]any, l.nu)...)
	}
	a := ps.view(p, s)
	for i, im := range l.impls {
		im.init(a, l.slots[i])
	}
	return s
}

// slot returns the slot of row's key in p, adding it when missing. When
// unique (state.KeyCodec.HashDeterminesKey), equal hashes of fixed-width
// keys are equal keys.
func (ps *panes) slot(p *pane, h uint64, row int, unique bool, codec *state.KeyCodec) int32 {
	head, ok := p.idx[h]
	if ok && unique && len(p.slots[head].key) == state.FixedKeyLen {
		return head
	}
	ps.key = codec.Append(ps.key[:0], row)
	if ok {
		for s := head; s >= 0; s = p.slots[s].next {
			if p.slots[s].key == string(ps.key) {
				return s
			}
		}
	}
	return ps.add(p, h, string(ps.key))
}

// process adds the rows of the bound batch to their windows.
func (ps *panes) process(kc *stream.KeyedContext, rec arrow.Record) error {
	o := ps.o
	codec := kc.KeyCodec()
	if err := codec.Bind(rec); err != nil {
		return err
	}
	ps.hash = codec.Hash(ps.hash)
	unique := codec.HashDeterminesKey()
	wm := o.watermark()
	a := o.sp.assigner
	ps.seq++
	ps.upd = ps.upd[:0]
	l := o.l
	for r, h := range ps.hash {
		if o.tsOK != nil && !o.tsOK[r] {
			o.late = append(o.late, r)
			continue
		}
		ts := o.ts[r]
		live := false
		for start := a.lastStart(ts); start > ts-a.size; start -= a.slide {
			end := start + a.size
			if o.dead(end, wm) {
				break // earlier windows end earlier
			}
			live = true
			p := ps.get(start, end, wm)
			s := ps.slot(p, h, r, unique, codec)
			if ps.bfast != nil {
				f := p.f[int(s)*l.nf : int(s+1)*l.nf]
				for i, b := range ps.bfast {
					b.addRow(f[l.slots[i]:], &o.view, o.colIdx[i], r)
				}
			} else {
				o.one[0] = r
				va := ps.view(p, s)
				for i, im := range l.impls {
					if err := im.add(va, l.slots[i], &o.view, o.colIdx[i], o.one[:]); err != nil {
						return err
					}
				}
			}
			if end-1 <= wm && p.slots[s].mark != ps.seq {
				// Late but within the allowed lateness: emit an update
				// once the batch is in.
				p.slots[s].mark = ps.seq
				ps.upd = append(ps.upd, paneRef{p, s})
			}
		}
		if !live {
			o.late = append(o.late, r)
		}
	}
	for _, u := range ps.upd {
		if err := o.emitKey(u.p.slots[u.s].key, ps.view(u.p, u.s)); err != nil {
			return err
		}
	}
	clear(ps.upd)
	return nil
}

// fire emits every pane whose window ended by wm and drops those past
// their lateness.
func (ps *panes) fire(wm int64) error {
	o := ps.o
	keep := ps.list[:0]
	for _, p := range ps.list { // by start, so by end
		if !p.fired && p.end-1 <= wm {
			p.fired = true
			// In key order, as per-key timers fired: the output does not
			// depend on the order keys arrived in.
			// Sorted by the keys' first 8 bytes (big endian, so in byte
			// order) and, on ties, the whole keys: no pointer chasing for
			// most comparisons.
			order := ps.order[:0]
			for s := range p.slots {
				order = append(order, keyOrder{prefix: keyPrefix(p.slots[s].key), slot: int32(s)})
			}
			slices.SortFunc(order, func(a, b keyOrder) int {
				if a.prefix != b.prefix {
					return cmp.Compare(a.prefix, b.prefix)
				}
				return strings.Compare(p.slots[a.slot].key, p.slots[b.slot].key)
			})
			for _, k := range order {
				if err := o.emitKey(p.slots[k.slot].key, ps.view(p, k.slot)); err != nil {
					return err
				}
			}
			ps.order = order
		}
		if o.dead(p.end, wm) {
			if ps.last == p {
				ps.last = nil
			}
			continue
		}
		keep = append(keep, p)
	}
	clear(ps.list[len(keep):])
	ps.list = keep
	return nil
}

// SnapshotGroups implements state.Table: per key group, uvarint #entries,
// then per entry the key and the accumulator (accCodec), each
// length-prefixed.
func (ps *panes) SnapshotGroups() (map[int][]byte, error) {
	n := 0
	for _, p := range ps.list {
		n += len(p.slots)
	}
	if n == 0 {
		return nil, nil
	}
	// Counting sort of the entries by key group.
	count := make([]int32, ps.maxKG+1)
	refs := slices.Grow(ps.refs[:0], n)[:n]
	defer func() { clear(refs); ps.refs = refs[:0] }()
	groups := slices.Grow(ps.groups[:0], n)[:n]
	size, i := 0, 0
	for _, p := range ps.list {
		for _, sl := range p.slots {
			g := int32(state.KeyGroup(sl.hash, ps.maxKG))
			groups[i] = g
			count[g+1]++
			size += len(sl.key)
			i++
		}
	}
	ps.groups = groups
	for g := 1; g <= ps.maxKG; g++ {
		count[g] += count[g-1]
	}
	pos := slices.Clone(count)
	i = 0
	for _, p := range ps.list {
		for s := range p.slots {
			g := groups[i]
			refs[pos[g]] = paneRef{p, int32(s)}
			pos[g]++
			i++
		}
	}
	codec := accCodec{ps.o.l}
	out := map[int][]byte{}
	// One buffer for every group, reused from snapshot to snapshot (the
	// backend copies the payloads before its Snapshot returns): a group's
	// bytes are not written again once sliced, so growing it leaves them
	// valid.
	buf := slices.Grow(ps.snap[:0], size+n*(2+24+8*ps.o.l.nf))
	for g := range ps.maxKG {
		lo, hi := count[g], count[g+1]
		if lo == hi {
			continue
		}
		at := len(buf)
		buf = binary.AppendUvarint(buf, uint64(hi-lo))
		for _, r := range refs[lo:hi] {
			key := r.p.slots[r.s].key
			buf = binary.AppendUvarint(buf, uint64(len(key)))
			buf = append(buf, key...)
			// The accumulator, length-prefixed: one length byte when it
			// fits (it almost always does), else move it behind a longer
			// length.
			la := len(buf)
			buf = codec.Append(append(buf, 0), ps.view(r.p, r.s))
			if ln := len(buf) - la - 1; ln < 0x80 {
				buf[la] = byte(ln)
			} else {
				ps.tmp = append(ps.tmp[:0], buf[la+1:]...)
				buf = append(binary.AppendUvarint(buf[:la], uint64(ln)), ps.tmp...)
			}
		}
		out[g] = buf[at:len(buf):len(buf)]
	}
	ps.snap = buf
	return out, nil
}

// RestoreGroup implements state.Table.
func (ps *panes) RestoreGroup(g int, payload []byte) error {
	n, k := binary.Uvarint(payload)
	if k <= 0 || n > uint64(len(payload)) {
		return errShort
	}
	payload = payload[k:]
	next := func() ([]byte, error) {
		ln, k := binary.Uvarint(payload)
		if k <= 0 || uint64(len(payload)-k) < ln {
			return nil, errShort
		}
		b := payload[k : k+int(ln)]
		payload = payload[k+int(ln):]
		return b, nil
	}
	codec := accCodec{ps.o.l}
	for range n {
		key, err := next()
		if err != nil {
			return err
		}
		raw, err := next()
		if err != nil {
			return err
		}
		a, err := codec.Decode(raw)
		if err != nil {
			return fmt.Errorf("key %q: %w", key, err)
		}
		if err := ps.insert(string(key), a); err != nil {
			return err
		}
	}
	if len(payload) != 0 {
		return fmt.Errorf("window panes: %d trailing bytes", len(payload))
	}
	return nil
}

// insert adds a restored accumulator of key.
func (ps *panes) insert(key string, a *acc) error {
	h, err := state.HashKey([]byte(key))
	if err != nil {
		return err
	}
	p := ps.get(a.start, a.end, stream.MinWatermark)
	p.fired = p.fired || a.fired
	for s, ok := p.idx[h]; ok && s >= 0; s = p.slots[s].next {
		if p.slots[s].key == key {
			return fmt.Errorf("window panes: key %q restored twice in window [%d, %d)", key, a.start, a.end)
		}
	}
	s := ps.add(p, h, key)
	l := ps.o.l
	copy(p.f[int(s)*l.nf:int(s+1)*l.nf], a.f)
	copy(p.u[int(s)*l.nu:int(s+1)*l.nu], a.u)
	return nil
}

// late emits the rows of o.late to the side output.
func (o *operator) emitLate(rec arrow.Record, out stream.Collector) error {
	if len(o.late) == 0 {
		return nil
	}
	slices.Sort(o.late)
	late, err := table.Take(o.mem, rec, o.late)
	if err != nil {
		return fmt.Errorf("window: late rows: %w", err)
	}
	return out.EmitTo(LateTag, late)
}
