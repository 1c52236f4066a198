package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/estimators/logreg"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/serving/modelstore"
	"github.com/eddyml/eddy/transformers/standardscaler"
	"github.com/eddyml/eddy/transformers/vectorassembler"
)

// scaledModel fits vector_assembler(a, b, v) + standard_scaler +
// logistic regression (3 classes) on columns a, b and the 3-vector v.
func scaledModel(t testing.TB) (pipeline.Model, *table.Table) {
	t.Helper()
	mem := memory.NewGoAllocator()
	rng := rand.New(rand.NewPCG(3, 3))
	const n = 300
	a, b, label := make([]float64, n), make([]float64, n), make([]int64, n)
	v := make([][]float64, n)
	for i := range n {
		a[i], b[i] = rng.NormFloat64()*5+2, rng.Float64()
		v[i] = []float64{rng.NormFloat64(), rng.NormFloat64(), rng.ExpFloat64()}
		label[i] = int64(i % 3)
		a[i] += float64(label[i])
	}
	rec, err := table.Build(mem, table.Col("a", a), table.Col("b", b), table.DenseCol("v", 3, v), table.Col("label", label))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	tbl, err := table.New(rec.Schema(), rec)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	va, _ := vectorassembler.New(map[string]any{"input_cols": []string{"a", "b", "v"}, "output_col": "raw"})
	ss, _ := standardscaler.New(map[string]any{"input_col": "raw", "output_col": "features"})
	lr, _ := logreg.New(nil)
	p, err := pipeline.NewPipeline(va, ss, lr)
	if err != nil {
		t.Fatal(err)
	}
	r := tbl.Reader()
	defer r.Release()
	m, err := p.Fit(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	in, err := table.Select(rec, "a", "b", "v")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(in.Release)
	it, err := table.New(in.Schema(), in)
	if err != nil {
		t.Fatal(err)
	}
	return m, it
}

// rowPathServer serves "lr" (10 features, prediction and probability
// returned) and "scaled" (scaledModel, every added column returned).
func rowPathServer(t testing.TB) (*Server, http.Handler) {
	t.Helper()
	ctx := context.Background()
	st, err := modelstore.OpenDir(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	lr, lrIn := trainModel(t, 10, 400)
	putVersions(t, st, "lr", lr, lrIn, 1, true)
	sm, stbl := scaledModel(t)
	defer stbl.Release()
	var info modelstore.Info
	if err := SetInputSchema(&info, stbl.Schema()); err != nil {
		t.Fatal(err)
	}
	if _, err := modelstore.PutStage(ctx, st, "scaled", sm, info, nil); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"lr", "scaled"} {
		for _, s := range []modelstore.Stage{modelstore.StageValidated, modelstore.StageDeployed} {
			if _, err := st.SetStage(ctx, name, 1, s, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	s, err := New(st, Config{MaxRows: 40})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.refreshAll(ctx); err != nil {
		t.Fatal(err)
	}
	s.synced.Store(true)
	for _, name := range []string{"lr", "scaled"} {
		if (*s.deployed.Load())[name].rowPath == nil {
			t.Fatalf("model %q has no row path", name)
		}
	}
	return s, s.Handler()
}

type answer struct {
	code    int
	header  http.Header
	body    string
	rowPath bool
}

// ask posts body to model name's predict route twice, with and without
// the model's row path.
func ask(t testing.TB, s *Server, h http.Handler, name, body string) (row, batch answer) {
	t.Helper()
	post := func() answer {
		req := httptest.NewRequest("POST", "/v1/models/"+name+":predict", strings.NewReader(body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return answer{code: w.Code, header: w.Header(), body: w.Body.String()}
	}
	m := (*s.deployed.Load())[name]
	row = post()
	saved := m.rowPath
	m.rowPath = nil
	batch = post()
	m.rowPath = saved
	return row, batch
}

func randNumber(rng *rand.Rand) string {
	switch rng.IntN(6) {
	case 0:
		return fmt.Sprintf("%.4f", rng.NormFloat64())
	case 1:
		return fmt.Sprintf("%g", rng.NormFloat64()*1e6)
	case 2:
		return fmt.Sprintf("%de%d", rng.IntN(2000)-1000, rng.IntN(20)-10)
	case 3:
		return fmt.Sprint(rng.IntN(100) - 50)
	case 4:
		return "-0"
	}
	return fmt.Sprint(rng.Float64())
}

func randRows(rng *rand.Rand, n int, cols []string, vecs map[string]int) string {
	rows := make([]string, n)
	for i := range rows {
		order := rng.Perm(len(cols))
		if rng.IntN(2) == 0 {
			order = order[:0]
			for j := range cols {
				order = append(order, j)
			}
		}
		var b strings.Builder
		b.WriteByte('{')
		for k, j := range order {
			if k > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%q:", cols[j])
			if d, ok := vecs[cols[j]]; ok {
				b.WriteByte('[')
				for e := range d {
					if e > 0 {
						b.WriteByte(',')
					}
					b.WriteString(randNumber(rng))
				}
				b.WriteByte(']')
			} else {
				b.WriteString(randNumber(rng))
			}
		}
		if rng.IntN(4) == 0 {
			b.WriteString(`,"extra":{"ignored":[1,"x"]}`)
		}
		b.WriteByte('}')
		rows[i] = b.String()
	}
	return instances(rows...)
}

// TestRowPathMatchesBatchPath sends the same requests to both paths:
// random rows (1 to 20 per request, beyond maxRowPathRows too) and bad
// ones must get the same status, headers and body, byte for byte.
func TestRowPathMatchesBatchPath(t *testing.T) {
	s, h := rowPathServer(t)
	rng := rand.New(rand.NewPCG(11, 12))
	lrCols := make([]string, 10)
	for j := range lrCols {
		lrCols[j] = fmt.Sprintf("f%d", j)
	}
	type req struct{ name, body string }
	var reqs []req
	for range 150 {
		n := 1 + rng.IntN(20)
		reqs = append(reqs, req{"lr", randRows(rng, n, lrCols, nil)},
			req{"scaled", randRows(rng, n, []string{"a", "b", "v"}, map[string]int{"v": 3})})
	}
	good := row(10, 0.5)
	for _, bad := range []string{
		strings.Replace(good, `"f3":0.5,`, ``, 1),               // missing feature
		strings.Replace(good, `"f3":0.5`, `"f3":"0.5"`, 1),      // wrong type
		strings.Replace(good, `"f3":0.5`, `"f3":true`, 1),       // wrong type
		strings.Replace(good, `"f3":0.5`, `"f3":[0.5]`, 1),      // wrong type
		strings.Replace(good, `"f3":0.5`, `"f3":null`, 1),       // null: vector_assembler rejects
		strings.Replace(good, `"f3":0.5`, `"f3":"NaN"`, 1),      // NaN
		strings.Replace(good, `"f3":0.5`, `"f3":1e999`, 1),      // out of range
		strings.Replace(good, `"f3":0.5`, `"f3":0.5,"f3":1`, 1), // twice
		strings.Replace(good, `"f3":0.5`, `"f3":1e300`, 1),      // overflows the margin
		strings.Replace(good, `"f3":0.5`, `"f3":`, 1),           // bad JSON
	} {
		reqs = append(reqs, req{"lr", instances(bad)}, req{"lr", instances(good, bad)})
	}
	reqs = append(reqs,
		req{"lr", `{"instances":[]}`}, req{"lr", `{}`}, req{"lr", instances(strings.Repeat(good+",", 40) + good)},
		req{"scaled", instances(`{"a":1,"b":2,"v":[1,2]}`)}, req{"scaled", instances(`{"a":1,"b":2,"v":[1,2,"x"]}`)},
		req{"scaled", instances(`{"a":1,"b":2,"v":null}`)}, req{"scaled", instances(`{"a":1,"b":2,"v":[1,2,-1e308]}`)},
		req{"scaled", instances(`{"a":1,"b":1.7e308,"v":[1,2,3]}`)}) // an infinite scaled feature
	codes := map[string]int{}
	code := regexp.MustCompile(`"code":\d+`)
	for i, r := range reqs {
		row, batch := ask(t, s, h, r.name, r.body)
		codes[fmt.Sprint(row.code, code.FindString(row.body))]++
		if row.code != batch.code || row.body != batch.body {
			t.Fatalf("request %d to %s: row path %d %s, batch path %d %s\nbody: %s", i, r.name, row.code, row.body, batch.code, batch.body, r.body)
		}
		for _, k := range []string{"Content-Type", "Eddy-Model-Version"} {
			if row.header.Get(k) != batch.header.Get(k) {
				t.Fatalf("request %d: header %s: row path %q, batch path %q", i, k, row.header.Get(k), batch.header.Get(k))
			}
		}
	}
	if codes["200"] < 300 || len(codes) < 6 {
		t.Errorf("status counts %v: want 300 successes and several error codes", codes)
	}
}

// TestRowPathScore checks that small requests do take the row path,
// without allocating, and that others are left to the batch path.
func TestRowPathScore(t *testing.T) {
	s, _ := rowPathServer(t)
	m := (*s.deployed.Load())["scaled"]
	decode := func(body string) *columns {
		cs, e := decodeColumns([]byte(body), m.plan, 100)
		if e != nil {
			t.Fatal(e)
		}
		return cs
	}
	one := instances(`{"a":1,"b":2,"v":[1,2,3]}`)
	buf := make([]byte, 0, 4096)
	cs := decode(one)
	out, ok := m.rowPath.score(buf, cs, m.outIdx)
	if !ok || !bytes.HasPrefix(out, []byte(`[{"raw":[1,2,1,2,3],"features":[`)) {
		t.Fatalf("one row: ok %v, %s", ok, out)
	}
	allocs := testing.AllocsPerRun(50, func() { m.rowPath.score(buf, cs, m.outIdx) })
	if allocs != 0 && !raceEnabled {
		t.Errorf("%v allocations per row, want 0", allocs)
	}
	cs.recycle()
	// Nulls (in a schema that allows them) and large requests are left
	// to the batch path.
	fields := m.plan.schema.Fields()
	for i := range fields {
		fields[i].Nullable = true
	}
	nullable, err := newPlan(arrow.NewSchema(fields, nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		p    *plan
		body string
	}{
		{nullable, instances(`{"a":1,"b":null,"v":[1,2,3]}`)},
		{m.plan, instances(strings.Repeat(`{"a":1,"b":2,"v":[1,2,3]},`, maxRowPathRows) + `{"a":1,"b":2,"v":[1,2,3]}`)},
	} {
		cs, e := decodeColumns([]byte(tc.body), tc.p, 100)
		if e != nil {
			t.Fatal(e)
		}
		if out, ok := m.rowPath.score(buf[:3], cs, m.outIdx); ok || len(out) != 3 {
			t.Errorf("%.60s: row path taken (%v) or output changed (%q)", tc.body, ok, out)
		}
		cs.recycle()
	}
}

// FuzzRowPath: any body to either model gets the same answer, byte for
// byte, with and without the row path.
func FuzzRowPath(f *testing.F) {
	for _, b := range []string{
		instances(row(10, 0.5)), instances(row(10, -1e300), row(10, 3)),
		instances(`{"a":1,"b":2,"v":[1,2,3]}`), instances(`{"a":1,"b":1.7e308,"v":[1,2,3]}`),
		instances(`{"a":1,"b":2,"v":[1,2,3],"a":1}`), `{"instances":[{"a":1,"b":2,"v":[1,2]}]}`,
	} {
		f.Add(b, false)
		f.Add(b, true)
	}
	s, h := rowPathServer(f)
	f.Fuzz(func(t *testing.T, body string, scaled bool) {
		name := "lr"
		if scaled {
			name = "scaled"
		}
		row, batch := ask(t, s, h, name, body)
		if row.code != batch.code || row.body != batch.body {
			t.Fatalf("row path %d %s, batch path %d %s", row.code, row.body, batch.code, batch.body)
		}
	})
}
