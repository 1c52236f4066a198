package window

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/pipeline/checkpoint"
	"github.com/eddyml/eddy/pipeline/state"
	"github.com/eddyml/eddy/pipeline/stream"
	"github.com/eddyml/eddy/pipeline/table"
)

// TestRestoreOldWindowsFormat: a checkpoint written when tumbling windows
// were kept per key (value state "windows" plus per-key timers) is
// restored into panes: the windows go on accumulating and fire once.
func TestRestoreOldWindowsFormat(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	aggs := []Aggregation{Count(), Sum("x")}
	l, err := newLayout(aggs)
	if err != nil {
		t.Fatal(err)
	}
	// The old snapshot: keys a and b, window [0, 100) holding 3 rows
	// summing to 30 (a) and 2 rows summing to 5 (b).
	keys, err := table.Build(mem, table.Col("k", []string{"a", "b"}))
	if err != nil {
		t.Fatal(err)
	}
	defer keys.Release()
	codec := state.NewKeyCodec("k")
	if err := codec.Bind(keys); err != nil {
		t.Fatal(err)
	}
	K := stream.DefaultMaxKeyGroups
	b, _ := state.NewBackend(K, 0, K)
	wins, err := state.NewValueState(b, "windows", state.Codec[[]*acc](windowsCodec{accCodec{l}}))
	if err != nil {
		t.Fatal(err)
	}
	for row, v := range [][2]float64{{3, 30}, {2, 5}} {
		if err := b.SetCurrentKey(codec.Append(nil, row)); err != nil {
			t.Fatal(err)
		}
		a := l.newAcc(0, 100)
		a.f[0], a.f[1], a.f[2] = v[0], v[0], v[1] // count; sum: n, total
		wins.Set([]*acc{a})
		b.RegisterTimer(state.EventTime, 99)
	}
	groups, err := b.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var schema bytes.Buffer
	w := ipc.NewWriter(&schema, ipc.WithSchema(arrow.NewSchema(codec.Fields(), nil)))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	st := checkpoint.SubtaskState{KeyGroups: groups, KeySchema: schema.Bytes()}
	store := checkpoint.NewMemory(2)
	ctx := context.Background()
	if err := store.Begin(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := store.WriteFile(ctx, 1, "w.state", st.Marshal()); err != nil {
		t.Fatal(err)
	}
	if err := store.Commit(ctx, &checkpoint.Manifest{ID: 1, Job: "old", MaxKeyGroups: K,
		Sources: map[string][]int64{"src": {0}},
		Nodes:   map[string]checkpoint.NodeState{"window": {Parallelism: 1, Files: []string{"w.state"}}}}); err != nil {
		t.Fatal(err)
	}

	// New rows after the checkpoint: a at 50 (x 7) and c at 60 (x 1).
	rec, err := table.Build(mem, table.Col("k", []string{"a", "c"}), table.Col("ts", []int64{50, 60}), table.Col("x", []float64{7, 1}))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	for _, par := range []int{1, 2} {
		job := stream.NewJob("old", stream.WithAllocator(mem), stream.WithRestoreFrom(store))
		keyed := stream.FromSource(job, "src", stream.FromRecords(rec), 1).AssignWatermarks("ts", 0).KeyBy("k")
		res := Of(keyed, "ts", Tumbling(100*time.Millisecond)).Name("window").Parallelism(par).Aggregate(aggs...).Collect()
		if err := job.Run(ctx); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range res.Records() {
			for _, row := range table.Rows(r) {
				got = append(got, fmt.Sprintf("%v %v count=%v sum=%v", row["k"], row[StartColumn], row["count"], row["sum_x"]))
			}
		}
		res.Release()
		slices.Sort(got)
		start := arrow.Timestamp(0).ToTime(arrow.Millisecond)
		want := []string{
			fmt.Sprintf("a %v count=4 sum=37", start),
			fmt.Sprintf("b %v count=2 sum=5", start),
			fmt.Sprintf("c %v count=1 sum=1", start),
		}
		if !slices.Equal(got, want) {
			t.Errorf("parallelism %d: got\n%v\nwant\n%v", par, got, want)
		}
	}
}

// FuzzPanesRestore feeds arbitrary key-group payloads to the panes'
// restore: it returns an error or restores entries, never panics, and
// what it restored snapshots and restores to the same panes.
func FuzzPanesRestore(f *testing.F) {
	l, err := newLayout([]Aggregation{Count(), Mean("x")})
	if err != nil {
		f.Fatal(err)
	}
	K := stream.DefaultMaxKeyGroups
	seed := &panes{o: &operator{sp: &spec{}, l: l}, maxKG: K}
	for i, k := range []string{"\x01\x05\x00\x00\x00\x00\x00\x00\x00", "\x04\x01a", "\x00"} {
		a := l.newAcc(int64(i)*100, int64(i)*100+100)
		a.f[0], a.f[1], a.f[2] = 2, 2, 1.5
		if err := seed.insert(k, a); err != nil {
			f.Fatal(err)
		}
	}
	groups, err := seed.SnapshotGroups()
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range groups {
		f.Add(slices.Clone(p))
	}
	f.Add([]byte{})
	f.Add([]byte{1, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		ps := &panes{o: &operator{sp: &spec{}, l: l}, maxKG: K}
		if err := ps.RestoreGroup(0, data); err != nil {
			return
		}
		snap, err := ps.SnapshotGroups()
		if err != nil {
			t.Fatal(err)
		}
		again := &panes{o: &operator{sp: &spec{}, l: l}, maxKG: K}
		for g, p := range snap {
			if err := again.RestoreGroup(g, p); err != nil {
				t.Fatalf("restoring a snapshot of restored panes: %v", err)
			}
		}
		if len(again.list) != len(ps.list) {
			t.Fatalf("%d panes after a round trip, want %d", len(again.list), len(ps.list))
		}
	})
}
