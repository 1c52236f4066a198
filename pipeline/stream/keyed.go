package stream

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"

	"github.com/eddyml/eddy/pipeline/state"
)

// TimeDomain says which clock a timer follows: EventTime (watermarks) or
// ProcessingTime (the job's clock, see WithClock).
type TimeDomain = state.TimeDomain

// Time domains of timers.
const (
	EventTime      = state.EventTime
	ProcessingTime = state.ProcessingTime
)

// Timer is a fired timer: its time (ms since the Unix epoch) and domain.
type Timer struct {
	Time   int64
	Domain TimeDomain
}

// KeyedOperator processes the batches of a keyed stream with per-key state
// and timers (see KeyedContext). The engine creates one instance per
// subtask and calls it from one goroutine; rec is borrowed.
//
// Optional abilities, discovered by type assertion: KeyedOpener,
// TimerHandler, WatermarkHandler (called after the due event-time timers
// fired), Finisher, Snapshotter and Restorer (for non-keyed state; keyed
// state and timers are snapshotted automatically), BarrierHandler, Closer.
type KeyedOperator interface {
	ProcessBatch(ctx context.Context, kc *KeyedContext, rec arrow.Record, out Collector) error
}

// KeyedOperatorFunc adapts a function to KeyedOperator.
type KeyedOperatorFunc func(ctx context.Context, kc *KeyedContext, rec arrow.Record, out Collector) error

// ProcessBatch calls f.
func (f KeyedOperatorFunc) ProcessBatch(ctx context.Context, kc *KeyedContext, rec arrow.Record, out Collector) error {
	return f(ctx, kc, rec, out)
}

// KeyedOpener is called once before the first batch, after keyed state was
// restored: register state handles here (state.NewValueState(kc.State(),
// ...)); restored entries are decoded as each handle is registered.
type KeyedOpener interface {
	Open(ctx context.Context, kc *KeyedContext) error
}

// TimerHandler receives the timers a keyed operator registered, with the
// timer's key set as current key. Event-time timers fire, earliest first
// (ties by key), when the subtask's input watermark reaches them and before
// that watermark goes downstream; processing-time timers fire when the
// job's clock reaches them (checked when a batch arrives and by a wake-up
// timer). A bounded input's end sends MaxWatermark, so every event-time
// timer fires before Finish; processing-time timers still pending at the
// end are dropped.
type TimerHandler interface {
	OnTimer(ctx context.Context, kc *KeyedContext, t Timer, out Collector) error
}

// KeyedContext gives a keyed operator subtask its key, state and timers.
// The current key scopes every state handle and timer call: ForEachKey sets
// it for each key of a batch, the engine sets it before OnTimer, and
// SetCurrentKey sets it explicitly. Keys are bytes encoded by a
// state.KeyCodec from the key columns. It is used by the subtask's
// goroutine only.
type KeyedContext struct {
	*OperatorContext
	backend *state.Backend
	codec   *state.KeyCodec
	maxKG   int
	now     func() time.Time
	wm      int64

	// ForEachKey buffers, reused from batch to batch.
	hashes []uint64
	buf    []byte
	index  map[string]int
	keys   []string
	groups []int
	rows   [][]int
}

func newKeyedContext(oc *OperatorContext, keys []string, maxKG int, now func() time.Time) (*KeyedContext, error) {
	lo, hi := state.KeyGroupRange(maxKG, oc.Parallelism, oc.Subtask)
	b, err := state.NewBackend(maxKG, lo, hi)
	if err != nil {
		return nil, err
	}
	return &KeyedContext{OperatorContext: oc, backend: b, codec: state.NewKeyCodec(keys...),
		maxKG: maxKG, now: now, wm: MinWatermark, index: map[string]int{}}, nil
}

// State returns the subtask's keyed state backend, to register handles:
// state.NewValueState(kc.State(), "sum", state.Float64).
func (kc *KeyedContext) State() *state.Backend { return kc.backend }

// KeyColumns returns the key column names.
func (kc *KeyedContext) KeyColumns() []string { return kc.codec.Names() }

// ForEachKey groups the rows of rec by key and calls fn once per distinct
// key, in order of first appearance, with that key as current key and the
// key's row indices (ascending; valid during the call only).
func (kc *KeyedContext) ForEachKey(rec arrow.Record, fn func(rows []int) error) error {
	if err := kc.codec.Bind(rec); err != nil {
		return err
	}
	kc.hashes = kc.codec.Hash(kc.hashes)
	kc.buf = kc.buf[:0]
	clear(kc.index)
	kc.keys, kc.groups = kc.keys[:0], kc.groups[:0]
	used := 0
	for row, h := range kc.hashes {
		kc.buf = kc.codec.Append(kc.buf[:0], row)
		i, ok := kc.index[string(kc.buf)]
		if !ok {
			i = used
			used++
			s := string(kc.buf)
			kc.index[s] = i
			kc.keys = append(kc.keys, s)
			kc.groups = append(kc.groups, state.KeyGroup(h, kc.maxKG))
			if len(kc.rows) < used {
				kc.rows = append(kc.rows, nil)
			}
			kc.rows[i] = kc.rows[i][:0]
		}
		kc.rows[i] = append(kc.rows[i], row)
	}
	for i := range used {
		kc.backend.SetCurrentKeyInGroup(kc.groups[i], kc.keys[i])
		if err := fn(kc.rows[i]); err != nil {
			return err
		}
	}
	return nil
}

// KeyCodec returns the subtask's key codec, the one ForEachKey and hash
// partitioning use: an operator that groups rows itself binds it to its
// batch (Bind), reads per-row key hashes (Hash: the key group is
// state.KeyGroup(hash, kc.State().MaxKeyGroups())) and encoded keys
// (Append), for instance to keep columnar state in a state.Table. Binding
// it also records the key fields that KeyFields returns and checkpoints
// keep.
func (kc *KeyedContext) KeyCodec() *state.KeyCodec { return kc.codec }

// ForEachStateKey calls fn once for every key that has an entry in the
// named state, with that key as current key (for instance to emit every
// result at Finish).
func (kc *KeyedContext) ForEachStateKey(name string, fn func() error) error {
	return kc.backend.ForEachKey(name, fn)
}

// SetCurrentKey sets the current key (an encoded key, as CurrentKey
// returns). The key must belong to this subtask's key groups.
func (kc *KeyedContext) SetCurrentKey(key []byte) error { return kc.backend.SetCurrentKey(key) }

// CurrentKey returns a copy of the current encoded key (nil when none).
func (kc *KeyedContext) CurrentKey() []byte { return kc.backend.CurrentKey() }

// KeyFields returns the key columns' fields (nullable), known once a batch
// was seen or keyed state was restored; nil before.
func (kc *KeyedContext) KeyFields() []arrow.Field { return kc.codec.Fields() }

// AppendKey appends the current key's column values to builders, one per
// key column, built for the types of KeyFields.
func (kc *KeyedContext) AppendKey(builders []array.Builder) error {
	key := kc.backend.CurrentKey()
	if key == nil {
		return fmt.Errorf("append key: no current key")
	}
	return state.DecodeKey(key, builders)
}

// RegisterEventTimer registers an event-time timer at ts (ms) for the
// current key; one timer per (key, time).
func (kc *KeyedContext) RegisterEventTimer(ts int64) { kc.backend.RegisterTimer(EventTime, ts) }

// DeleteEventTimer deletes the current key's event-time timer at ts.
func (kc *KeyedContext) DeleteEventTimer(ts int64) { kc.backend.DeleteTimer(EventTime, ts) }

// RegisterProcessingTimer registers a processing-time timer at ts (ms since
// the epoch on the job's clock) for the current key.
func (kc *KeyedContext) RegisterProcessingTimer(ts int64) {
	kc.backend.RegisterTimer(ProcessingTime, ts)
}

// DeleteProcessingTimer deletes the current key's processing-time timer at
// ts.
func (kc *KeyedContext) DeleteProcessingTimer(ts int64) {
	kc.backend.DeleteTimer(ProcessingTime, ts)
}

// Watermark returns the subtask's current input watermark (during OnTimer,
// the watermark that fired the timer).
func (kc *KeyedContext) Watermark() int64 { return kc.wm }

// Now returns the job's processing time (see WithClock).
func (kc *KeyedContext) Now() time.Time { return kc.now() }

// keySchemaBytes encodes the key fields as an Arrow IPC schema message.
func (kc *KeyedContext) keySchemaBytes() ([]byte, error) {
	f := kc.codec.Fields()
	if f == nil {
		return nil, nil
	}
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(arrow.NewSchema(f, nil)))
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("key schema: %w", err)
	}
	return buf.Bytes(), nil
}

func (kc *KeyedContext) restoreKeySchema(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	r, err := ipc.NewReader(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("key schema: %w", err)
	}
	defer r.Release()
	kc.codec.SetFields(r.Schema().Fields())
	return nil
}

// Process adds a keyed operator: each subtask receives only the rows whose
// key groups it owns, and keeps per-key state and timers in a KeyedContext
// that checkpoints snapshot and restores (redistributed by key group when
// the parallelism changes). parallelism 0 inherits the stream's.
func (k *KeyedStream) Process(name string, newOp func() KeyedOperator, parallelism int) *Stream {
	s := k.s.process("keyed-process", name, nil, parallelism, partHash, k.keys)
	s.ins[0].n.newKeyed = newOp
	s.ins[0].n.keys = k.keys
	return s
}

// Count adds a keyed operator counting rows per key over the whole (bounded)
// input, in keyed state (so it is checkpointed and restored). At the end of
// input each subtask emits one batch with the key columns and an int64
// column "count", one row per key. Windowed counts over unbounded streams
// come with pipeline/window.
func (k *KeyedStream) Count(name string) *Stream {
	s := k.Process(name, func() KeyedOperator { return &countOp{} }, 0)
	s.ins[0].n.label = "count"
	return s
}

type countOp struct {
	kc    *KeyedContext
	count *state.ValueState[int64]
}

func (c *countOp) Open(_ context.Context, kc *KeyedContext) error {
	c.kc = kc
	var err error
	c.count, err = state.NewValueState(kc.State(), "count", state.Int64)
	return err
}

func (c *countOp) ProcessBatch(_ context.Context, kc *KeyedContext, rec arrow.Record, _ Collector) error {
	return kc.ForEachKey(rec, func(rows []int) error {
		n, _ := c.count.Get()
		c.count.Set(n + int64(len(rows)))
		return nil
	})
}

func (c *countOp) Finish(_ context.Context, out Collector) error {
	fields := c.kc.KeyFields()
	if fields == nil {
		return nil
	}
	builders := make([]array.Builder, len(fields))
	for i, f := range fields {
		builders[i] = array.NewBuilder(c.kc.Allocator, f.Type)
	}
	cb := array.NewInt64Builder(c.kc.Allocator)
	defer func() {
		for _, b := range builders {
			b.Release()
		}
		cb.Release()
	}()
	err := c.kc.ForEachStateKey("count", func() error {
		n, _ := c.count.Get()
		cb.Append(n)
		return c.kc.AppendKey(builders)
	})
	if err != nil || cb.Len() == 0 {
		return err
	}
	rows := int64(cb.Len())
	arrs := make([]arrow.Array, 0, len(builders)+1)
	for _, b := range builders {
		arrs = append(arrs, b.NewArray())
	}
	arrs = append(arrs, cb.NewArray())
	schema := arrow.NewSchema(append(append([]arrow.Field(nil), fields...), arrow.Field{Name: "count", Type: arrow.PrimitiveTypes.Int64}), nil)
	rec := array.NewRecord(schema, arrs, rows)
	for _, a := range arrs {
		a.Release()
	}
	return out.Emit(rec)
}
