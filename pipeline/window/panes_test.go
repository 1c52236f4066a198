package window_test

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/pipeline/stream"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/pipeline/window"
)

// collide is the int64 key whose hash equals the hash of a null key (the
// key codec's null constant): windows must still keep them apart.
const collide = int64(0x6A09E667F3BCC909)

// TestIntKeysAndHashCollisions runs tumbling and sliding counts and sums
// keyed by a nullable int64 column, whose windows are indexed by key hash
// (with the no-compare shortcut for batches without nulls), including a
// null key and the integer whose hash equals it, against a direct count.
func TestIntKeysAndHashCollisions(t *testing.T) {
	for _, a := range []window.Assigner{window.Tumbling(100 * time.Millisecond), window.Sliding(100*time.Millisecond, 40*time.Millisecond)} {
		for _, par := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s/p%d", a, par), func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				rng := rand.New(rand.NewPCG(uint64(par), 3))
				type wk struct {
					key   string
					start int64
				}
				want := map[wk][2]int64{} // count, sum
				size, slide := int64(100), int64(100)
				if a.String() != window.Tumbling(100*time.Millisecond).String() {
					slide = 40
				}
				var recs []arrow.Record
				ts := int64(0)
				for b := range 40 {
					n := 1 + rng.IntN(50)
					keys, valid, tss, xs := make([]int64, n), make([]bool, n), make([]int64, n), make([]int64, n)
					for i := range n {
						keys[i], valid[i] = rng.Int64N(20), true
						switch {
						case b%3 == 0 && rng.IntN(4) == 0:
							valid[i] = false // only every third batch has nulls
						case rng.IntN(5) == 0:
							keys[i] = collide
						}
						ts += rng.Int64N(7)
						tss[i], xs[i] = ts, rng.Int64N(10)
						k := "null"
						if valid[i] {
							k = fmt.Sprint(keys[i])
						}
						for start := ts - ((ts%slide)+slide)%slide; start > ts-size; start -= slide {
							c := want[wk{k, start}]
							want[wk{k, start}] = [2]int64{c[0] + 1, c[1] + xs[i]}
						}
					}
					rec, err := table.Build(mem, table.NullableCol("k", keys, valid), table.Col("ts", tss), table.Col("x", xs))
					if err != nil {
						t.Fatal(err)
					}
					recs = append(recs, rec)
				}
				defer release(recs)
				job := stream.NewJob("ints", stream.WithAllocator(mem))
				keyed := stream.FromSource(job, "src", stream.FromRecords(recs...), 1).AssignWatermarks("ts", 0).KeyBy("k")
				res := window.Of(keyed, "ts", a).Parallelism(par).Aggregate(window.Count(), window.Sum("x")).Collect()
				defer res.Release()
				if err := job.Run(context.Background()); err != nil {
					t.Fatal(err)
				}
				got := map[wk][2]int64{}
				for _, r := range res.Records() {
					ks := r.Column(0).(*array.Int64)
					st := r.Column(1).(*array.Timestamp)
					cnt := r.Column(3).(*array.Int64)
					sum := r.Column(4).(*array.Float64)
					for i := range int(r.NumRows()) {
						k := "null"
						if ks.IsValid(i) {
							k = fmt.Sprint(ks.Value(i))
						}
						w := wk{k, int64(st.Value(i))}
						if _, dup := got[w]; dup {
							t.Errorf("window %v emitted twice", w)
						}
						got[w] = [2]int64{cnt.Value(i), int64(sum.Value(i))}
					}
				}
				if !maps.Equal(got, want) {
					for w, c := range want {
						if got[w] != c {
							t.Errorf("key %s window %d: got %v, want %v", w.key, w.start, got[w], c)
						}
					}
					t.Fatalf("%d windows, want %d", len(got), len(want))
				}
				if _, ok := got[wk{"null", 0}]; !ok {
					t.Error("no null-key window: the test lost its collision")
				}
			})
		}
	}
}
