package generate

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// dumpRows renders each row of rec as one line, floats in their shortest
// exact form, so that equal lines mean bit-identical values.
func dumpRows(t testing.TB, rec arrow.Record) []string {
	t.Helper()
	out := make([]string, rec.NumRows())
	for i := range out {
		var b strings.Builder
		for c, col := range rec.Columns() {
			if c > 0 {
				b.WriteByte(',')
			}
			switch a := col.(type) {
			case *array.Float64:
				b.WriteString(strconv.FormatFloat(a.Value(i), 'g', -1, 64))
			case *array.Int64:
				b.WriteString(strconv.FormatInt(a.Value(i), 10))
			case *array.String:
				b.WriteString(a.Value(i))
			case *array.Timestamp:
				b.WriteString(strconv.FormatInt(int64(a.Value(i)), 10))
			default:
				t.Fatalf("unexpected column type %s", col.DataType())
			}
		}
		out[i] = b.String()
	}
	return out
}

// readAll reads src to its end (or maxBatches batches when positive).
func readAll(t testing.TB, src *Source, maxBatches int) []string {
	t.Helper()
	var rows []string
	for n := 0; (maxBatches <= 0 || n < maxBatches) && src.Next(); n++ {
		rows = append(rows, dumpRows(t, src.Record())...)
	}
	if err := src.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func mustNew(t testing.TB, cfg Config) *Source {
	t.Helper()
	src, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// testConfigs cover every kind with drift, categoricals and jitter.
func testConfigs(mem memory.Allocator) map[string]Config {
	return map[string]Config{
		"classification": {Kind: Classification, Seed: 1, NumNumeric: 3, NumCategorical: 2,
			Cardinality: []int{5, 1000}, Skew: 2, Noise: 0.05, Drift: Drift{At: 300, Every: 400, Width: 100},
			Interval: 250 * time.Millisecond, MaxLateness: 2 * time.Second, Allocator: mem},
		"regression": {Kind: Regression, Seed: 2, NumNumeric: 2, NumCategorical: 1, Noise: 0.5,
			Drift: Drift{At: 500}, Allocator: mem},
		"blobs": {Kind: Blobs, Seed: 3, NumNumeric: 3, K: 4, Noise: 0.3, Drift: Drift{Every: 600, Width: 200},
			Interval: time.Millisecond, Allocator: mem},
	}
}

func TestBatchSizeInvariance(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for name, cfg := range testConfigs(mem) {
		t.Run(name, func(t *testing.T) {
			cfg.Rows = 1500
			var want []string
			for _, bs := range []int{1, 7, 128, 1500, 4096} {
				cfg.BatchSize = bs
				src := mustNew(t, cfg)
				got := readAll(t, src, 0)
				src.Release()
				if len(got) != int(cfg.Rows) {
					t.Fatalf("batch size %d: %d rows, want %d", bs, len(got), cfg.Rows)
				}
				if want == nil {
					want = got
					continue
				}
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("batch size %d: row %d = %q, want %q", bs, i, got[i], want[i])
					}
				}
			}
		})
	}
}

func TestBatchShapes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	src := mustNew(t, Config{Rows: 250, BatchSize: 100, Allocator: mem})
	defer src.Release()
	var sizes []int64
	for src.Next() {
		rec := src.Record()
		if !rec.Schema().Equal(src.Schema()) {
			t.Fatalf("batch schema %s, want %s", rec.Schema(), src.Schema())
		}
		sizes = append(sizes, rec.NumRows())
	}
	if fmt.Sprint(sizes) != "[100 100 50]" {
		t.Errorf("batch sizes %v, want [100 100 50]", sizes)
	}
	if src.Offset() != 250 {
		t.Errorf("Offset() = %d, want 250", src.Offset())
	}
	if src.Next() {
		t.Error("Next after the end returned true")
	}
}

func TestSeekRow(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for name, cfg := range testConfigs(mem) {
		t.Run(name, func(t *testing.T) {
			cfg.Rows, cfg.BatchSize = 1000, 128
			src := mustNew(t, cfg)
			full := readAll(t, src, 0)
			src.Release()
			for _, off := range []int64{0, 1, 537, 999} {
				src := mustNew(t, cfg)
				readAll(t, src, 2) // move somewhere first
				if err := src.SeekRow(off); err != nil {
					t.Fatal(err)
				}
				if src.Offset() != off {
					t.Errorf("Offset() after SeekRow(%d) = %d", off, src.Offset())
				}
				tail := readAll(t, src, 0)
				src.Release()
				if want := full[off:]; strings.Join(tail, "\n") != strings.Join(want, "\n") {
					t.Errorf("SeekRow(%d): %d rows differ from the tail of a full read (%d rows)", off, len(tail), len(want))
				}
			}
			src = mustNew(t, cfg)
			defer src.Release()
			if err := src.SeekRow(5000); err != nil {
				t.Fatalf("seek past the end: %v", err)
			}
			if src.Next() || src.Err() != nil {
				t.Errorf("after seeking past the end: Next true or Err %v", src.Err())
			}
			if err := src.SeekRow(-1); err == nil {
				t.Error("SeekRow(-1) succeeded")
			}
		})
	}
}

func TestFirstRow(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for name, cfg := range testConfigs(mem) {
		t.Run(name, func(t *testing.T) {
			cfg.Rows, cfg.BatchSize = 700, 64
			src := mustNew(t, cfg)
			full := readAll(t, src, 0)
			src.Release()
			for _, first := range []int64{1, 300, 699} {
				part := cfg
				part.FirstRow, part.Rows = first, 700-first
				src := mustNew(t, part)
				got := readAll(t, src, 0)
				if src.Offset() != 700-first {
					t.Errorf("FirstRow %d: Offset() = %d, want the rows delivered, %d", first, src.Offset(), 700-first)
				}
				src.Release()
				if strings.Join(got, "\n") != strings.Join(full[first:], "\n") {
					t.Errorf("FirstRow %d: rows differ from rows %d.. of the whole stream", first, first)
				}
			}
		})
	}
	bad := Config{Rows: 10, FirstRow: -1}
	if _, err := New(bad); err == nil || !strings.Contains(err.Error(), "first_row") {
		t.Errorf("negative first_row: %v", err)
	}
}

func TestUnbounded(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	before := runtime.NumGoroutine()
	src := mustNew(t, Config{Kind: Blobs, BatchSize: 1000, Allocator: mem})
	for i := 0; i < 20; i++ {
		if !src.Next() {
			t.Fatalf("unbounded stream ended after %d batches: %v", i, src.Err())
		}
	}
	// A far row is as cheap as a near one and the stream goes on.
	if err := src.SeekRow(1 << 50); err != nil {
		t.Fatal(err)
	}
	if !src.Next() || src.Record().NumRows() != 1000 {
		t.Fatalf("no full batch at row 2^50: %v", src.Err())
	}
	if src.Offset() != 1<<50+1000 {
		t.Errorf("Offset() = %d, want %d", src.Offset(), int64(1<<50+1000))
	}
	src.Release()
	src.Release() // idempotent
	if src.Next() {
		t.Error("Next after Release returned true")
	}
	if err := src.SeekRow(0); err == nil {
		t.Error("SeekRow after Release succeeded")
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("goroutines: %d before, %d after", before, after)
	}
	if src.Skipped() != 0 {
		t.Errorf("Skipped() = %d", src.Skipped())
	}
}

func TestSchema(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, "x0:float64[feature] x1:float64[feature] x2:float64[feature] x3:float64[feature] label:int64[label] ts:timestamp[ms, tz=UTC][timestamp]"},
		{Config{Kind: Regression, NumCategorical: 2}, "c0:utf8[feature] c1:utf8[feature] label:float64[label] ts:timestamp[ms, tz=UTC][timestamp]"},
		{Config{Kind: Blobs, NumNumeric: 1}, "x0:float64[feature] cluster:int64[label] ts:timestamp[ms, tz=UTC][timestamp]"},
	} {
		var parts []string
		for _, f := range tc.cfg.Schema().Fields() {
			p := f.Name + ":" + f.Type.String()
			if role, ok := f.Metadata.GetValue(roleKey); ok {
				p += "[" + role + "]"
			}
			if f.Nullable {
				p += "?"
			}
			parts = append(parts, p)
		}
		if got := strings.Join(parts, " "); got != tc.want {
			t.Errorf("%+v: schema %s, want %s", tc.cfg, got, tc.want)
		}
	}
}

// TestDocumentedFormulas regenerates rows from the formulas of doc.go with
// the stream primitives only, independently of Source's batch code.
func TestDocumentedFormulas(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cfg := Config{Kind: Classification, Seed: 99, Rows: 300, BatchSize: 64, NumNumeric: 2, NumCategorical: 2,
		Cardinality: []int{3, 50}, Skew: 3, Noise: 0.1, Drift: Drift{At: 100, Width: 50},
		StartTime: time.UnixMilli(1_700_000_000_123), Interval: 1500 * time.Microsecond, MaxLateness: 40 * time.Millisecond,
		Allocator: mem}
	src := mustNew(t, cfg)
	defer src.Release()
	got := readAll(t, src, 0)
	seed := cfg.Seed
	u := func(s, i uint64) float64 { return newStream(seed, s).unif(i) }
	g := func(s, i uint64) float64 { return newStream(seed, s).ih4(i) }
	param := func(c uint64, tag uint64, i uint64) float64 { return newStream(seed, (c+1)<<8|tag).unif(i) }
	for r := uint64(0); r < 300; r++ {
		var c0, c1 uint64 = 0, 0
		a := 0.0
		if r >= 150 {
			c0 = 1
		} else if r >= 100 {
			c1, a = 1, float64(r-100)/50
		}
		mix := func(f func(c uint64) float64) float64 {
			if a == 0 {
				return f(c0)
			}
			return float64((1-a)*f(c0)) + float64(a*f(c1))
		}
		var fields []string
		z := mix(func(c uint64) float64 { return param(c, 1, 2) - 0.5 })
		for j := uint64(0); j < 2; j++ {
			x := g(1, r*2+j)
			z = z + float64(x*mix(func(c uint64) float64 { return 2*param(c, 1, j) - 1 }))
			fields = append(fields, strconv.FormatFloat(x, 'g', -1, 64))
		}
		for f, card := range []uint64{3, 50} {
			p := u(2, r*2+uint64(f))
			p = (p * p) * p
			v := min(uint64(float64(card)*p), card-1)
			z = z + mix(func(c uint64) float64 { return 2*param(c, 2, uint64(f+1)<<32|v) - 1 })
			fields = append(fields, fmt.Sprintf("c%d_%d", f, v))
		}
		y := 0
		if u(3, r) < 1/(1+math.Exp(-z)) {
			y = 1
		}
		if u(4, r) < 0.1 {
			y = 1 - y
		}
		jitter := min(int64(u(5, r)*41), 40)
		ts := 1_700_000_000_123 + int64(r*1_500_000/1_000_000) - jitter
		fields = append(fields, strconv.Itoa(y), strconv.FormatInt(ts, 10))
		if want := strings.Join(fields, ","); got[r] != want {
			t.Fatalf("row %d = %q, documented formulas give %q", r, got[r], want)
		}
	}
}

func TestDrift(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	const at, rows = 5000, 10000
	cfg := Config{Seed: 5, Rows: rows, NumNumeric: 20, Drift: Drift{At: at}, Allocator: mem}
	src := mustNew(t, cfg)
	defer src.Release()

	before, after := src.Truth(at-1), src.Truth(at)
	if before.Concept != 0 || after.Concept != 1 {
		t.Fatalf("concepts around the drift row: %v, %v; want 0, 1", before.Concept, after.Concept)
	}
	if fmt.Sprint(before.Weights) == fmt.Sprint(after.Weights) || before.Bias == after.Bias {
		t.Fatalf("weights did not change at the drift row: %v", before.Weights)
	}
	if fmt.Sprint(src.Truth(0)) != fmt.Sprint(before) || fmt.Sprint(src.Truth(rows-1)) != fmt.Sprint(after) {
		t.Error("model changed away from the drift row")
	}

	// Predict each label with the sign of each concept's z: concept 0 must
	// explain the rows before the drift and concept 1 those after it.
	var agree [2][2]int // [concept][segment]
	r := 0
	for src.Next() {
		rec := src.Record()
		y := rec.Column(20).(*array.Int64).Int64Values()
		for i := range y {
			seg := 0
			if r >= at {
				seg = 1
			}
			for c, m := range []Truth{before, after} {
				z := m.Bias
				for j, w := range m.Weights {
					z += rec.Column(j).(*array.Float64).Value(i) * w
				}
				if (z > 0) == (y[i] == 1) {
					agree[c][seg]++
				}
			}
			r++
		}
	}
	acc := func(c, seg int) float64 { return float64(agree[c][seg]) / at }
	t.Logf("accuracy of concept 0 before/after: %.3f/%.3f, concept 1: %.3f/%.3f", acc(0, 0), acc(0, 1), acc(1, 0), acc(1, 1))
	if acc(0, 0) < 0.75 || acc(1, 1) < 0.75 {
		t.Errorf("the model in force explains too few labels: %.3f before, %.3f after", acc(0, 0), acc(1, 1))
	}
	if acc(0, 0)-acc(0, 1) < 0.1 || acc(1, 1)-acc(1, 0) < 0.1 {
		t.Errorf("labels did not change with the concept: %v", agree)
	}
}

func TestGradualDrift(t *testing.T) {
	src := mustNew(t, Config{Kind: Blobs, Drift: Drift{At: 100, Every: 1000, Width: 400}})
	defer src.Release()
	for _, tc := range []struct {
		row     int64
		concept float64
	}{{0, 0}, {100, 0}, {300, 0.5}, {499, 1 - 1.0/400}, {500, 1}, {1100, 1}, {1200, 1.25}, {1500, 2}} {
		if got := src.Truth(tc.row).Concept; got != tc.concept {
			t.Errorf("row %d: concept %v, want %v", tc.row, got, tc.concept)
		}
	}
	c0, c1, mid := src.Truth(0).Centers, src.Truth(500).Centers, src.Truth(300).Centers
	for k := range mid {
		for j := range mid[k] {
			if want := (c0[k][j] + c1[k][j]) / 2; math.Abs(mid[k][j]-want) > 1e-12 {
				t.Errorf("center %d,%d halfway = %v, want %v", k, j, mid[k][j], want)
			}
		}
	}
}

func TestEventTimeLateness(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	const late = 350
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	src := mustNew(t, Config{Rows: 5000, BatchSize: 333, StartTime: start, Interval: 100 * time.Millisecond,
		MaxLateness: late * time.Millisecond, Allocator: mem})
	defer src.Release()
	maxSeen, r, outOfOrder := int64(math.MinInt64), int64(0), 0
	var maxJitter int64
	for src.Next() {
		ts := src.Record().Column(5).(*array.Timestamp).TimestampValues()
		for _, v := range ts {
			cur := int64(v)
			nominal := start.UnixMilli() + 100*r
			maxJitter = max(maxJitter, nominal-cur)
			if cur > nominal || cur < nominal-late {
				t.Fatalf("row %d: ts %d outside [%d, %d]", r, cur, nominal-late, nominal)
			}
			if cur < maxSeen {
				outOfOrder++
			}
			if r > 0 && cur < maxSeen-late {
				t.Fatalf("row %d: ts %d is behind the watermark %d", r, cur, maxSeen-late)
			}
			maxSeen = max(maxSeen, cur)
			r++
		}
	}
	if outOfOrder == 0 || maxJitter < late-10 {
		t.Errorf("jitter not exercised: %d out-of-order rows, max jitter %d ms", outOfOrder, maxJitter)
	}
}

func TestEventTimeInOrder(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	src := mustNew(t, Config{Rows: 3, Interval: 1500 * time.Microsecond, Allocator: mem})
	defer src.Release()
	if !src.Next() {
		t.Fatal(src.Err())
	}
	got := src.Record().Column(5).(*array.Timestamp).TimestampValues()
	base := DefaultStartTime.UnixMilli()
	if want := []arrow.Timestamp{arrow.Timestamp(base), arrow.Timestamp(base + 1), arrow.Timestamp(base + 3)}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("timestamps %v, want %v", got, want)
	}
}

func TestEventTimeOverflow(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	src := mustNew(t, Config{Interval: 1000 * time.Hour, Allocator: mem})
	defer src.Release()
	if err := src.SeekRow(1 << 40); err != nil {
		t.Fatal(err)
	}
	if src.Next() {
		t.Fatal("Next succeeded past the int64 millisecond range")
	}
	if err := src.Err(); err == nil || !strings.Contains(err.Error(), "event time overflows") {
		t.Errorf("Err() = %v, want an event time overflow", err)
	}
}

func TestValidate(t *testing.T) {
	for i, tc := range []struct {
		cfg   Config
		field string // "" means valid
	}{
		{Config{}, ""},
		{Config{Kind: Blobs}, ""},
		{Config{Kind: Regression, NumNumeric: 0, NumCategorical: 3, Cardinality: []int{7}}, ""},
		{Config{Drift: Drift{Every: 10, Width: 10}}, ""},
		{Config{Kind: "tree"}, "kind"},
		{Config{Rows: -1}, "rows"},
		{Config{BatchSize: -5}, "batch_size"},
		{Config{BatchSize: MaxBatchSize + 1}, "batch_size"},
		{Config{NumNumeric: -1}, "num_numeric"},
		{Config{NumCategorical: MaxColumns + 1}, "num_categorical"},
		{Config{Kind: Blobs, NumCategorical: 2}, "num_categorical"},
		{Config{Kind: Blobs, K: -1}, "k"},
		{Config{Kind: Classification, K: 3}, "k"},
		{Config{NumCategorical: 2, Cardinality: []int{3, 4, 5}}, "cardinality"},
		{Config{Cardinality: []int{3}}, "cardinality"},
		{Config{NumCategorical: 2, Cardinality: []int{3, 0}}, "cardinality[1]"},
		{Config{NumCategorical: 1, Skew: 9}, "skew"},
		{Config{Noise: -0.1}, "noise"},
		{Config{Noise: math.NaN()}, "noise"},
		{Config{Noise: 1.5}, "noise"},
		{Config{Kind: Regression, Noise: 1.5}, ""},
		{Config{Drift: Drift{At: -1}}, "drift.at"},
		{Config{Drift: Drift{Every: -1}}, "drift.every"},
		{Config{Drift: Drift{Width: -1}}, "drift.width"},
		{Config{Drift: Drift{Width: 5}}, "drift.width"},
		{Config{Drift: Drift{Every: 5, Width: 6}}, "drift.width"},
		{Config{Interval: -time.Second}, "interval"},
		{Config{MaxLateness: -time.Second}, "max_lateness"},
	} {
		err := tc.cfg.Validate()
		_, newErr := New(tc.cfg)
		if (err == nil) != (newErr == nil) {
			t.Errorf("%d: Validate %v but New %v", i, err, newErr)
		}
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%d: %+v: unexpected error %v", i, tc.cfg, err)
		case tc.field != "" && err == nil:
			t.Errorf("%d: %+v: no error, want one naming %s", i, tc.cfg, tc.field)
		case tc.field != "" && !strings.HasPrefix(err.Error(), "generate: "+tc.field+": "):
			t.Errorf("%d: error %q does not name %s", i, err, tc.field)
		}
	}
}

func TestGolden(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var b strings.Builder
	cfgs := testConfigs(mem)
	for _, name := range []string{"classification", "regression", "blobs"} {
		cfg := cfgs[name]
		cfg.Rows, cfg.BatchSize = 0, 6
		src := mustNew(t, cfg)
		fmt.Fprintf(&b, "# %s\n", name)
		for _, line := range readAll(t, src, 1) {
			b.WriteString(line + "\n")
		}
		// Rows after drift points too, so a change in the model streams shows.
		for _, r := range []int64{350, 700, 1000} {
			if err := src.SeekRow(r); err != nil {
				t.Fatal(err)
			}
			if !src.Next() {
				t.Fatalf("no row %d: %v", r, src.Err())
			}
			fmt.Fprintf(&b, "@%d %s\n", r, dumpRows(t, src.Record())[0])
		}
		src.Release()
	}
	path := filepath.Join("testdata", "golden.txt")
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if b.String() != string(want) {
		t.Errorf("generated rows differ from %s (the algorithm changed? run go test -update only if that is intended):\n got:\n%s\nwant:\n%s", path, b.String(), want)
	}
}

func BenchmarkSource(b *testing.B) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"classification/d10", Config{NumNumeric: 10}},
		{"classification/d10c5", Config{NumNumeric: 10, NumCategorical: 5, Cardinality: []int{1000}}},
		{"regression/d10", Config{Kind: Regression, NumNumeric: 10, Noise: 0.1}},
		{"blobs/d10k8", Config{Kind: Blobs, NumNumeric: 10, K: 8}},
		{"classification/d10/gradual", Config{NumNumeric: 10, Drift: Drift{Every: 1 << 20, Width: 1 << 20}}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			src := mustNew(b, tc.cfg)
			defer src.Release()
			rows := int64(0)
			b.ResetTimer()
			for range b.N {
				if !src.Next() {
					b.Fatal(src.Err())
				}
				rows += src.Record().NumRows()
			}
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
