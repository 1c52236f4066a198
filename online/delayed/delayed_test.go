package delayed

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/online/internal/streamtest"
	"github.com/eddyml/eddy/pipeline/checkpoint"
	"github.com/eddyml/eddy/pipeline/stream"
	"github.com/eddyml/eddy/pipeline/table"
)

// scenario is a generated pair of streams with a known answer.
type scenario struct {
	preds, labels    []arrow.Record
	joined, expired  map[int64]bool // by id
	orphans          map[int64]bool
	label, predicted map[int64]float64
}

func (s *scenario) release() {
	for _, r := range append(s.preds, s.labels...) {
		r.Release()
	}
}

// genScenario: prediction i at 10*i ms (adjacent pairs swapped: out of
// order by 10 ms), its label 1-900 ms later for 85% of ids (labels sorted
// by time, then shuffled within 5-row blocks: out of order by up to ~50
// ms), none for 10% (expired), and labels without prediction for ids
// n..n+n/20 (orphans). With MaxDelay 1s and 100ms of out-of-orderness in
// the watermarks, every label arrives before its prediction's deadline
// passes, whatever the interleaving of the two streams.
func genScenario(t testing.TB, mem memory.Allocator, seed uint64, n, batch int) *scenario {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 5))
	s := &scenario{joined: map[int64]bool{}, expired: map[int64]bool{}, orphans: map[int64]bool{},
		label: map[int64]float64{}, predicted: map[int64]float64{}}
	type lab struct {
		id int64
		ms int64
		y  float64
	}
	var pIDs []int64
	var labs []lab
	for i := range int64(n) {
		pIDs = append(pIDs, i)
		p := rng.Float64()
		s.predicted[i] = p
		if rng.IntN(100) < 10 {
			s.expired[i] = true
			continue
		}
		y := float64(rng.IntN(2))
		s.label[i] = y
		s.joined[i] = true
		labs = append(labs, lab{i, 10*i + 1 + rng.Int64N(900), y})
	}
	for i := int64(n); i < int64(n+n/20); i++ {
		s.orphans[i] = true
		labs = append(labs, lab{i, 10*(i-int64(n)) + 5, 1})
	}
	for i := 0; i+1 < len(pIDs); i += 2 {
		pIDs[i], pIDs[i+1] = pIDs[i+1], pIDs[i]
	}
	sort.Slice(labs, func(a, b int) bool { return labs[a].ms < labs[b].ms })
	for i := 0; i < len(labs); i += 5 {
		blk := labs[i:min(i+5, len(labs))]
		rng.Shuffle(len(blk), func(a, b int) { blk[a], blk[b] = blk[b], blk[a] })
	}
	for lo := 0; lo < len(pIDs); lo += batch {
		ids := pIDs[lo:min(lo+batch, len(pIDs))]
		ms := make([]int64, len(ids))
		ps := make([]float64, len(ids))
		for i, id := range ids {
			ms[i], ps[i] = 10*id, s.predicted[id]
		}
		rec, err := table.Build(mem, table.Col("id", ids), table.Col("time", ms), table.Col("probability", ps), table.Col("extra", ps))
		if err != nil {
			t.Fatal(err)
		}
		s.preds = append(s.preds, rec)
	}
	for lo := 0; lo < len(labs); lo += batch {
		blk := labs[lo:min(lo+batch, len(labs))]
		ids, ms, ys := make([]int64, len(blk)), make([]int64, len(blk)), make([]float64, len(blk))
		for i, l := range blk {
			ids[i], ms[i], ys[i] = l.id, l.ms, l.y
		}
		rec, err := table.Build(mem, table.Col("id", ids), table.Col("time", ms), table.Col("label", ys))
		if err != nil {
			t.Fatal(err)
		}
		s.labels = append(s.labels, rec)
	}
	return s
}

// ids reads the id column of recs, failing on an id seen twice; check
// is called for every row.
func ids(t testing.TB, what string, recs []arrow.Record, check func(rec arrow.Record, i int, id int64)) map[int64]bool {
	t.Helper()
	out := map[int64]bool{}
	for _, r := range recs {
		col := r.Column(0).(*array.Int64)
		for i := range col.Len() {
			id := col.Value(i)
			if out[id] {
				t.Errorf("%s: id %d emitted twice", what, id)
			}
			out[id] = true
			if check != nil {
				check(r, i, id)
			}
		}
	}
	return out
}

func sameSet(t testing.TB, what string, got, want map[int64]bool) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d ids, want %d", what, len(got), len(want))
	}
	for id := range want {
		if !got[id] {
			t.Errorf("%s: id %d missing", what, id)
			return
		}
	}
}

var errInjected = errors.New("injected fault")

// The join is exactly-once across a failure in the middle: a map after
// the join fails once, after a checkpoint completed; the job restarts
// from it (keyed state with pending predictions and labels, timers,
// source offsets) and the committed output holds every joined, expired
// and orphan row once, with the right values.
func TestJoinExactlyOnceWithRestart(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, par := range []int{1, 3} {
		t.Run(fmt.Sprint("parallelism=", par), func(t *testing.T) {
			s := genScenario(t, mem, uint64(par), 3000, 50)
			defer s.release()
			dir := t.TempDir()
			store, err := checkpoint.NewDir(filepath.Join(dir, "ckpt"), 2)
			if err != nil {
				t.Fatal(err)
			}
			var checkpoints, calls atomic.Int64
			var failed atomic.Bool
			job := stream.NewJob("delayed", stream.WithAllocator(mem),
				stream.WithCheckpointInterval(5*time.Millisecond), stream.WithCheckpointStorage(store),
				stream.WithCheckpointListener(func(stream.Checkpoint) { checkpoints.Add(1) }),
				stream.WithRestartStrategy(stream.RestartStrategy{MaxAttempts: 3, Delay: time.Millisecond}))
			preds := stream.FromSource(job, "predictions", &streamtest.PacedSource{Recs: s.preds, Pause: time.Millisecond}, 1).
				AssignWatermarks("time", 100*time.Millisecond)
			labels := stream.FromSource(job, "labels", &streamtest.PacedSource{Recs: s.labels, Pause: time.Millisecond}, 1).
				AssignWatermarks("time", 100*time.Millisecond)
			cfg := Config{MaxDelay: time.Second, ValueCols: []string{"probability"}}
			joined, err := Join(preds, labels, cfg, mem, par)
			if err != nil {
				t.Fatal(err)
			}
			joined.Map("faulty", func(r arrow.Record) (arrow.Record, error) {
				if n := calls.Add(1); n > 10 && checkpoints.Load() >= 2 && !failed.Swap(true) {
					return nil, errInjected
				}
				return r, nil
			}).To("joined", stream.NewFileSink(filepath.Join(dir, "joined")))
			joined.SideOutput(ExpiredTag).To("expired", stream.NewFileSink(filepath.Join(dir, "expired")))
			joined.SideOutput(OrphanTag).To("orphans", stream.NewFileSink(filepath.Join(dir, "orphans")))
			if err := job.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			st := job.CheckpointStats()
			if !failed.Load() || st.Restarts != 1 || st.LastRestore == 0 {
				t.Fatalf("fault %v, %d restarts, last restore %d: the test did not restore from a checkpoint", failed.Load(), st.Restarts, st.LastRestore)
			}
			jr := streamtest.ReadParts(t, mem, filepath.Join(dir, "joined"))
			er := streamtest.ReadParts(t, mem, filepath.Join(dir, "expired"))
			or := streamtest.ReadParts(t, mem, filepath.Join(dir, "orphans"))
			defer func() {
				for _, r := range append(append(jr, er...), or...) {
					r.Release()
				}
			}()
			if len(jr) > 0 {
				want := []string{"id", "time", "label_time", "probability", "label"}
				for i, f := range jr[0].Schema().Fields() {
					if f.Name != want[i] {
						t.Fatalf("joined schema %v", jr[0].Schema())
					}
				}
			}
			sameSet(t, "joined", ids(t, "joined", jr, func(r arrow.Record, i int, id int64) {
				p := r.Column(3).(*array.Float64).Value(i)
				y := r.Column(4).(*array.Float64).Value(i)
				pt := int64(r.Column(1).(*array.Timestamp).Value(i))
				if p != s.predicted[id] || y != s.label[id] || pt != 10*id*1000 {
					t.Errorf("joined id %d: probability %v label %v time %d, want %v %v %d", id, p, y, pt, s.predicted[id], s.label[id], 10*id*1000)
				}
			}), s.joined)
			sameSet(t, "expired", ids(t, "expired", er, nil), s.expired)
			sameSet(t, "orphans", ids(t, "orphans", or, nil), s.orphans)
			var side int64
			for _, m := range job.Metrics() {
				if m.Name == "delayed-join" {
					side = m.SideRecordsOut
				}
			}
			// SideRecordsOut counts the attempts' rows too (at least once).
			if side < int64(len(s.expired)+len(s.orphans)) {
				t.Errorf("side records out %d, want >= %d", side, len(s.expired)+len(s.orphans))
			}
		})
	}
}

// In processing time a prediction waits MaxDelay on the job's clock: the
// labels of the second half arrive 800 ms after their predictions, so with
// MaxDelay 150 ms those predictions expire and their labels are orphans
// (flushed at the end of input).
func TestJoinProcessingTime(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	const n = 40
	mk := func(lo, hi int64, col string) arrow.Record {
		var idv, ms []int64
		var v []float64
		for i := lo; i < hi; i++ {
			idv, ms, v = append(idv, i), append(ms, i), append(v, float64(i%2))
		}
		rec, err := table.Build(mem, table.Col("id", idv), table.Col("time", ms), table.Col(col, v))
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	preds := []arrow.Record{mk(0, n, "prediction")}
	labels := []arrow.Record{mk(0, n/2, "label"), mk(n/2, n, "label")}
	defer func() {
		for _, r := range append(preds, labels...) {
			r.Release()
		}
	}()
	job := stream.NewJob("delayed-pt", stream.WithAllocator(mem))
	p := stream.FromSource(job, "predictions", &streamtest.PacedSource{Recs: preds}, 1)
	l := stream.FromSource(job, "labels", &streamtest.PacedSource{Recs: labels, Pauses: []time.Duration{0, 800 * time.Millisecond}}, 1)
	joined, err := Join(p, l, Config{MaxDelay: 150 * time.Millisecond, Domain: stream.ProcessingTime, ValueCols: []string{"prediction"}}, mem, 2)
	if err != nil {
		t.Fatal(err)
	}
	jc, ec, oc := joined.Collect(), joined.SideOutput(ExpiredTag).Collect(), joined.SideOutput(OrphanTag).Collect()
	defer jc.Release()
	defer ec.Release()
	defer oc.Release()
	if err := job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := func(lo, hi int64) map[int64]bool {
		m := map[int64]bool{}
		for i := lo; i < hi; i++ {
			m[i] = true
		}
		return m
	}
	sameSet(t, "joined", ids(t, "joined", jc.Records(), nil), want(0, n/2))
	sameSet(t, "expired", ids(t, "expired", ec.Records(), nil), want(n/2, n))
	sameSet(t, "orphans", ids(t, "orphans", oc.Records(), nil), want(n/2, n))
}

func TestConfigAndInputErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, cfg := range []Config{{}, {MaxDelay: time.Second, Domain: 7}, {MaxDelay: time.Second, ValueCols: []string{"label"}}} {
		if _, err := NewOperator(cfg); err == nil {
			t.Errorf("config %+v: no error", cfg)
		}
	}
	cfg := Config{MaxDelay: time.Second}
	rec, _ := table.Build(mem, table.Col("id", []int64{1}), table.Col("time", []int64{5}), table.Col("prediction", []float64{1}))
	defer rec.Release()
	if _, err := TagPredictions(cfg, mem)(rec); err == nil {
		t.Error("prediction stream without probability: no error")
	}
	if _, err := TagLabels(cfg, mem)(rec); err == nil {
		t.Error("label stream without label: no error")
	}
	bad, _ := table.Build(mem, table.Col("id", []int64{1}), table.Col("time", []float64{5}), table.Col("label", []float64{1}))
	defer bad.Release()
	if _, err := TagLabels(cfg, mem)(bad); err == nil {
		t.Error("float time: no error")
	}
	// A bad kind value fails the job with an error naming it.
	u, _ := table.Build(mem, table.Col("id", []int64{1}), table.Col("kind", []string{"guess"}),
		table.Col("time", []int64{5}), table.Col("label", []float64{1}), table.Col("prediction", []float64{1}), table.Col("probability", []float64{1}))
	defer u.Release()
	newOp, err := NewOperator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	job := stream.NewJob("bad", stream.WithAllocator(mem))
	stream.FromSource(job, "u", stream.FromRecords(u), 1).KeyBy("id").Process("join", newOp, 1).Collect()
	if err := job.Run(context.Background()); err == nil {
		t.Error("kind \"guess\": no error")
	}
}

func FuzzEntryDecode(f *testing.F) {
	c := entryCodec{}
	f.Add(c.Append(nil, entry{time: 5, deadline: 7, vals: []float64{0.5, 1}, nulls: 2}))
	f.Add(c.Append(nil, entry{time: -1, deadline: 1 << 40}))
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := c.Decode(b)
		if err != nil {
			return
		}
		if again := c.Append(nil, e); string(again) != string(b) {
			t.Fatalf("decode/append does not round-trip: %x vs %x", again, b)
		}
	})
}
