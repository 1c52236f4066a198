package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/eddyml/eddy/estimators/logreg"
	"github.com/eddyml/eddy/internal/testutil"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/serving/modelstore"
	"github.com/eddyml/eddy/transformers/vectorassembler"
)

// trainModel fits vectorassembler + logreg on d features of generated
// data (label = 1 when the features sum above 0).
func trainModel(t testing.TB, d, rows int) (*pipeline.PipelineModel, *arrow.Schema) {
	t.Helper()
	mem := memory.NewGoAllocator()
	rng := rand.New(rand.NewPCG(1, 2))
	cols := make([]table.Column, 0, d+1)
	names := make([]string, d)
	x := make([][]float64, d)
	for j := range x {
		x[j] = make([]float64, rows)
	}
	label := make([]int64, rows)
	for i := range rows {
		sum := 0.0
		for j := range d {
			x[j][i] = rng.NormFloat64()
			sum += x[j][i]
		}
		if sum > 0 {
			label[i] = 1
		}
	}
	for j := range d {
		names[j] = fmt.Sprintf("f%d", j)
		cols = append(cols, table.Col(names[j], x[j]))
	}
	cols = append(cols, table.Col("label", label))
	rec, err := table.Build(mem, cols...)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	tbl, err := table.New(rec.Schema(), rec)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	va, err := vectorassembler.New(map[string]any{"input_cols": names, "output_col": "features"})
	if err != nil {
		t.Fatal(err)
	}
	lr, err := logreg.New(map[string]any{"reg_param": 0.01})
	if err != nil {
		t.Fatal(err)
	}
	p, err := pipeline.NewPipeline(va, lr)
	if err != nil {
		t.Fatal(err)
	}
	r := tbl.Reader()
	defer r.Release()
	m, err := p.Fit(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	in, err := table.Select(rec, names...)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Release()
	return m.(*pipeline.PipelineModel), in.Schema()
}

// putVersions stores n versions of the model; withSchema stores its input
// schema and output columns.
func putVersions(t testing.TB, st modelstore.Store, name string, m pipeline.Stage, in *arrow.Schema, n int, withSchema bool) []int64 {
	t.Helper()
	ctx := context.Background()
	var out []int64
	for range n {
		var info modelstore.Info
		if withSchema {
			if err := SetInputSchema(&info, in); err != nil {
				t.Fatal(err)
			}
			SetOutputCols(&info, "prediction", "probability")
		}
		v, err := modelstore.PutStage(ctx, st, name, m, info, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.SetStage(ctx, name, v.Version, modelstore.StageValidated, nil); err != nil {
			t.Fatal(err)
		}
		out = append(out, v.Version)
	}
	return out
}

type env struct {
	t     testing.TB
	srv   *Server
	url   string
	store modelstore.Store
	reg   *prometheus.Registry
}

func startServer(t testing.TB, st modelstore.Store, cfg Config) *env {
	t.Helper()
	reg := prometheus.NewRegistry()
	cfg.Registerer, cfg.Gatherer = reg, reg
	cfg.MinBackoff = 20 * time.Millisecond
	cfg.MaxBackoff = 200 * time.Millisecond
	cfg.ReadyProbeTTL = time.Millisecond
	s, err := New(st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	e := &env{t: t, srv: s, url: "http://" + ln.Addr().String(), store: st, reg: reg}
	e.waitFor(func() bool { return s.Ready() })
	return e
}

func (e *env) waitFor(cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatal("timed out waiting")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (e *env) do(method, path, token, body string) (int, map[string]any) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(b) > 0 && b[0] == '{' {
		if err := json.Unmarshal(b, &out); err != nil {
			e.t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	} else {
		out = map[string]any{"raw": string(b)}
	}
	return resp.StatusCode, out
}

func row(d int, v float64) string {
	var b strings.Builder
	b.WriteByte('{')
	for j := range d {
		if j > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"f%d":%g`, j, v)
	}
	b.WriteByte('}')
	return b.String()
}

func instances(rows ...string) string { return `{"instances":[` + strings.Join(rows, ",") + `]}` }

func errCode(body map[string]any) int {
	if e, ok := body["error"].(map[string]any); ok {
		return int(e["code"].(float64))
	}
	if c, ok := body["code"].(float64); ok {
		return int(c)
	}
	return 0
}

func TestPredict(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	m, in := trainModel(t, 3, 200)
	for _, withSchema := range []bool{true, false} {
		t.Run(fmt.Sprintf("schema=%v", withSchema), func(t *testing.T) {
			st, err := modelstore.OpenDir(t.TempDir(), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			vs := putVersions(t, st, "ctr", m, in, 2, withSchema)
			if _, err := st.SetStage(context.Background(), "ctr", vs[0], modelstore.StageDeployed, nil); err != nil {
				t.Fatal(err)
			}
			if err := st.SetAlias(context.Background(), "ctr", "champion", vs[1]); err != nil {
				t.Fatal(err)
			}
			e := startServer(t, st, Config{Token: "s3cret", Allocator: mem})
			for _, tc := range []struct {
				path    string
				version float64
			}{
				{"/v1/models/ctr:predict", 1},
				{"/v1/models/ctr/versions/2:predict", 2},
				{"/v1/models/ctr@champion:predict", 2},
				{"/v1/models/ctr@latest:predict", 2},
			} {
				code, body := e.do("POST", tc.path, "", instances(row(3, 2), row(3, -2)))
				if code != 200 {
					t.Fatalf("%s: %d %v", tc.path, code, body)
				}
				if body["model_version"] != tc.version {
					t.Errorf("%s: version %v, want %v", tc.path, body["model_version"], tc.version)
				}
				preds := body["predictions"].([]any)
				if len(preds) != 2 {
					t.Fatalf("%s: %d predictions", tc.path, len(preds))
				}
				p0, p1 := preds[0].(map[string]any), preds[1].(map[string]any)
				if p0["prediction"] != 1.0 || p1["prediction"] != 0.0 {
					t.Errorf("%s: predictions %v", tc.path, preds)
				}
				prob := p0["probability"].([]any)
				if len(prob) != 2 || prob[1].(float64) < 0.9 {
					t.Errorf("%s: probability %v", tc.path, prob)
				}
				if _, ok := p0["f0"]; ok {
					t.Errorf("%s: input column returned: %v", tc.path, p0)
				}
			}
		})
	}
}

func TestErrors(t *testing.T) {
	m, in := trainModel(t, 3, 200)
	st, err := modelstore.OpenDir(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	putVersions(t, st, "ctr", m, in, 1, true)
	putVersions(t, st, "inferred", m, in, 1, false)
	ctx := context.Background()
	st.SetStage(ctx, "ctr", 1, modelstore.StageDeployed, nil)
	st.SetStage(ctx, "inferred", 1, modelstore.StageDeployed, nil)
	// A nullable schema takes an explicit null, never an absent feature.
	var ninfo modelstore.Info
	if err := SetNullableInputSchema(&ninfo, in); err != nil {
		t.Fatal(err)
	}
	nv, err := modelstore.PutStage(ctx, st, "nullable", m, ninfo, nil)
	if err != nil {
		t.Fatal(err)
	}
	st.SetStage(ctx, "nullable", nv.Version, modelstore.StageValidated, nil)
	st.SetStage(ctx, "nullable", nv.Version, modelstore.StageDeployed, nil)
	e := startServer(t, st, Config{Token: "s3cret", MaxRows: 3, MaxBodyBytes: 4096})
	for i, tc := range []struct {
		path, body string
		status     int
		code       Code
		msg        string
	}{
		{"/v1/models/ctr:predict", instances(row(3, 1), row(3, 1), `{"f0":1,"f1":2}`), 400, CodeMissingFeature, "instances[2].f2: missing feature"},
		{"/v1/models/ctr:predict", instances(row(3, 1), `{"f0":1,"f1":"x","f2":3}`), 400, CodeWrongType, "instances[1].f1: want number, got string"},
		{"/v1/models/ctr:predict", instances(`{"f0":1,"f1":null,"f2":3}`), 400, CodeInvalidValue, "instances[0].f1: null not allowed"},
		{"/v1/models/nullable:predict", instances(`{"f0":1,"f2":3}`), 400, CodeMissingFeature, "instances[0].f1: missing feature (send null for a missing value)"},
		{"/v1/models/nullable:predict", instances(`{"f0":1,"f1":null,"f2":3}`), 400, CodeInvalidValue, "f1"},
		{"/v1/models/ctr:predict", instances(`{"f0":"NaN","f1":1,"f2":3}`), 400, CodeInvalidValue, "instances[0].f0: NaN not allowed"},
		{"/v1/models/ctr:predict", instances(row(3, 1), row(3, 1), row(3, 1), row(3, 1)), 400, CodeTooManyRows, "more than 3 rows"},
		{"/v1/models/ctr:predict", `{"instances":[]}`, 400, CodeNoInstances, "instances: empty"},
		{"/v1/models/ctr:predict", `{"instances":[{"f0":1,}]}`, 400, CodeBadJSON, "invalid JSON"},
		{"/v1/models/ctr:predict", instances(strings.Repeat(row(3, 1)+",", 200) + row(3, 1)), 413, CodeBodyTooLarge, "limit"},
		{"/v1/models/nope:predict", instances(row(3, 1)), 404, CodeModelNotFound, `model "nope"`},
		{"/v1/models/ctr/versions/9:predict", instances(row(3, 1)), 404, CodeVersionNotFound, "version 9"},
		{"/v1/models/ctr@gold:predict", instances(row(3, 1)), 404, CodeAliasNotFound, `alias "gold"`},
		{"/v1/models/ctr:predikt", instances(row(3, 1)), 404, CodeBadRoute, ":predict"},
		{"/v1/models/inferred:predict", instances(`{"f0":1,"f1":2}`), 400, CodeSchemaMismatch, "f2"},
		{"/v1/models/inferred:predict", instances(`{"f0":1,"f1":2,"f2":"a"}`), 400, CodeSchemaMismatch, "f2"},
		{"/v1/models/inferred:predict", instances(`{"f0":1,"f1":2,"f2":3}`, `{"f0":1,"f1":true,"f2":3}`), 400, CodeWrongType, "instances[1].f1: want number, got boolean"},
	} {
		status, body := e.do("POST", tc.path, "", tc.body)
		if status != tc.status || errCode(body) != int(tc.code) {
			t.Errorf("%d: %s: status %d code %d, want %d %d: %v", i, tc.path, status, errCode(body), tc.status, tc.code, body)
			continue
		}
		msg := body["error"].(map[string]any)["message"].(string)
		if !strings.Contains(msg, tc.msg) {
			t.Errorf("%d: message %q does not contain %q", i, msg, tc.msg)
		}
	}
}

func TestAuthAndAdmin(t *testing.T) {
	m, in := trainModel(t, 3, 200)
	st, err := modelstore.OpenDir(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	putVersions(t, st, "ctr", m, in, 2, true)
	e := startServer(t, st, Config{Token: "s3cret"})
	if code, body := e.do("POST", "/v1/admin/models/ctr/versions/1:deploy", "", ""); code != 401 || errCode(body) != int(CodeUnauthorized) {
		t.Fatalf("no token: %d %v", code, body)
	}
	if code, body := e.do("POST", "/v1/admin/models/ctr/versions/1:deploy", "wrong", ""); code != 401 {
		t.Fatalf("wrong token: %d %v", code, body)
	}
	if code, body := e.do("POST", "/v1/admin/models/ctr/versions/1:deploy", "s3cret", ""); code != 200 || body["stage"] != "deployed" {
		t.Fatalf("deploy: %d %v", code, body)
	}
	e.waitFor(func() bool { m := e.srv.current("ctr"); return m != nil && m.version == 1 })
	if code, body := e.do("POST", "/v1/admin/models/ctr/versions/2:stage", "s3cret", `{"stage":"generated"}`); code != 409 || errCode(body) != int(CodeInvalidTransition) {
		t.Fatalf("bad transition: %d %v", code, body)
	}
	if code, body := e.do("POST", "/v1/admin/models/ctr/aliases/champion", "s3cret", `{"version":2}`); code != 200 {
		t.Fatalf("alias: %d %v", code, body)
	}
	if code, body := e.do("POST", "/v1/models/ctr@champion:predict", "", instances(row(3, 1))); code != 200 || body["model_version"] != 2.0 {
		t.Fatalf("alias predict: %d %v", code, body)
	}
	// Predict needs the token only when configured so.
	st2, _ := modelstore.OpenDir(t.TempDir(), nil)
	defer st2.Close()
	putVersions(t, st2, "ctr", m, in, 1, true)
	st2.SetStage(context.Background(), "ctr", 1, modelstore.StageDeployed, nil)
	e2 := startServer(t, st2, Config{Token: "s3cret", RequireTokenForPredict: true})
	if code, _ := e2.do("POST", "/v1/models/ctr:predict", "", instances(row(3, 1))); code != 401 {
		t.Fatalf("predict without token: %d", code)
	}
	if code, body := e2.do("POST", "/v1/models/ctr:predict", "s3cret", instances(row(3, 1))); code != 200 {
		t.Fatalf("predict with token: %d %v", code, body)
	}
	// No token configured: admin disabled.
	e3 := startServer(t, st2, Config{})
	if code, body := e3.do("POST", "/v1/admin/reload", "", ""); code != 403 || errCode(body) != int(CodeAdminDisabled) {
		t.Fatalf("admin without server token: %d %v", code, body)
	}
}

func TestOIPv2(t *testing.T) {
	m, in := trainModel(t, 3, 200)
	st, err := modelstore.OpenDir(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	putVersions(t, st, "ctr", m, in, 2, true)
	st.SetStage(context.Background(), "ctr", 1, modelstore.StageDeployed, nil)
	e := startServer(t, st, Config{})
	for _, p := range []string{"/v2/health/live", "/v2/health/ready", "/v2/models/ctr/ready", "/healthz", "/readyz"} {
		if code, body := e.do("GET", p, "", ""); code != 200 {
			t.Errorf("%s: %d %v", p, code, body)
		}
	}
	code, meta := e.do("GET", "/v2/models/ctr", "", "")
	if code != 200 || meta["name"] != "ctr" || len(meta["inputs"].([]any)) != 3 || len(meta["outputs"].([]any)) != 2 {
		t.Fatalf("metadata: %d %v", code, meta)
	}
	infer := `{"id":"r1","inputs":[{"name":"f0","shape":[2],"datatype":"FP64","data":[2,-2]},
		{"name":"f1","shape":[2,1],"datatype":"FP64","data":[[2],[-2]]},{"name":"f2","shape":[2],"datatype":"FP64","data":[2,-2]}]}`
	for _, p := range []string{"/v2/models/ctr/infer", "/v2/models/ctr/versions/2/infer"} {
		code, body := e.do("POST", p, "", infer)
		if code != 200 || body["id"] != "r1" {
			t.Fatalf("%s: %d %v", p, code, body)
		}
		want := map[string]string{"/v2/models/ctr/infer": "1", "/v2/models/ctr/versions/2/infer": "2"}[p]
		if body["model_version"] != want {
			t.Errorf("%s: version %v", p, body["model_version"])
		}
		outs := body["outputs"].([]any)
		pred := outs[0].(map[string]any)
		if pred["name"] != "prediction" || fmt.Sprint(pred["data"]) != "[1 0]" || fmt.Sprint(pred["shape"]) != "[2]" {
			t.Errorf("%s: prediction %v", p, pred)
		}
		prob := outs[1].(map[string]any)
		if fmt.Sprint(prob["shape"]) != "[2 2]" || len(prob["data"].([]any)) != 4 {
			t.Errorf("%s: probability %v", p, prob)
		}
	}
	bad := `{"inputs":[{"name":"f0","shape":[2],"datatype":"FP64","data":[1]},{"name":"f1","shape":[2],"datatype":"FP64","data":[1,2]},{"name":"f2","shape":[2],"datatype":"FP64","data":[1,2]}]}`
	if code, body := e.do("POST", "/v2/models/ctr/infer", "", bad); code != 400 || errCode(body) != int(CodeBadTensor) {
		t.Errorf("bad tensor: %d %v", code, body)
	}
	missing := `{"inputs":[{"name":"f0","shape":[1],"datatype":"FP64","data":[1]}]}`
	if code, body := e.do("POST", "/v2/models/ctr/infer", "", missing); code != 400 || errCode(body) != int(CodeMissingFeature) || !strings.Contains(body["error"].(string), "inputs.f1") {
		t.Errorf("missing: %d %v", code, body)
	}
	if code, _ := e.do("GET", "/v2/models/nope/ready", "", ""); code != 404 {
		t.Errorf("unknown model ready: %d", code)
	}
}

func TestMetrics(t *testing.T) {
	m, in := trainModel(t, 3, 200)
	st, _ := modelstore.OpenDir(t.TempDir(), nil)
	defer st.Close()
	putVersions(t, st, "ctr", m, in, 3, true)
	st.SetStage(context.Background(), "ctr", 3, modelstore.StageDeployed, nil)
	e := startServer(t, st, Config{})
	e.do("POST", "/v1/models/ctr:predict", "", instances(row(3, 1)))
	e.do("POST", "/v1/models/ctr:predict", "", instances(`{"f0":"x"}`))
	_, body := e.do("GET", "/metrics", "", "")
	text := body["raw"].(string)
	for _, want := range []string{
		`eddy_http_requests_total{code="200",route="v1_predict"} 1`,
		`eddy_http_requests_total{code="400",route="v1_predict"} 1`,
		`eddy_http_request_duration_seconds_count{route="v1_predict"} 2`,
		`eddy_model_version{model="ctr"} 3`,
		`eddy_predict_rows_total{model="ctr"} 1`,
		`eddy_registry_up 1`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// panicStage is a transformer that panics on a row with x < 0.
type panicStage struct{}

func (panicStage) Kind() string                                         { return "test_panic" }
func (panicStage) Params() *param.Set                                   { return nil }
func (panicStage) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) { return in, nil }
func (panicStage) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	if v, _ := table.Float64s(rec.Column(0)); len(v) > 0 && v[0] < 0 {
		panic("boom")
	}
	rec.Retain()
	return rec, nil
}

func TestPanicIsolated(t *testing.T) {
	st, _ := modelstore.OpenDir(t.TempDir(), nil)
	defer st.Close()
	e := startServer(t, st, Config{})
	var info modelstore.Info
	SetOutputCols(&info, "x")
	e.srv.setDeployed("p", &model{name: "p", version: 4, stage: panicStage{}, info: info, outCols: []string{"x"}})
	code, body := e.do("POST", "/v1/models/p:predict", "", `{"instances":[{"x":-1}]}`)
	if code != 500 || errCode(body) != int(CodeModelPanic) || body["model_version"] != 4.0 {
		t.Fatalf("panic: %d %v", code, body)
	}
	code, body = e.do("POST", "/v1/models/p:predict", "", `{"instances":[{"x":1}]}`)
	if code != 200 || fmt.Sprint(body["predictions"]) != "[map[x:1]]" {
		t.Fatalf("after panic: %d %v", code, body)
	}
}

func TestHotSwapFile(t *testing.T) {
	st, err := modelstore.OpenDir(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	hotSwap(t, st)
}

func TestHotSwapRedis(t *testing.T) {
	r := testutil.StartRedis(t)
	st, err := modelstore.Open(context.Background(), r.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	hotSwap(t, st)
}

// hotSwap deploys 20 versions one after another while clients predict
// continuously: no request fails, each answer's version was deployed
// while the request ran (between its deploy call and the moment the
// server had swapped to the next one), and no client sees a version go
// backwards.
func hotSwap(t *testing.T, st modelstore.Store) {
	const n = 20
	m, in := trainModel(t, 3, 200)
	vs := putVersions(t, st, "ctr", m, in, n, true)
	ctx := context.Background()
	e := startServer(t, st, Config{})
	var mu sync.Mutex
	deployStart := map[int64]time.Time{}
	swapped := map[int64]time.Time{} // when the server served v
	stop := make(chan struct{})
	type result struct {
		t0, t1  time.Time
		version int64
	}
	const clients = 4
	results := make([][]result, clients)
	errs := make(chan error, clients)
	var wg sync.WaitGroup
	body := instances(row(3, 1))
	// First deploy before clients start.
	deployStart[vs[0]] = time.Now()
	if _, err := st.SetStage(ctx, "ctr", vs[0], modelstore.StageDeployed, nil); err != nil {
		t.Fatal(err)
	}
	e.waitFor(func() bool { m := e.srv.current("ctr"); return m != nil && m.version == vs[0] })
	swapped[vs[0]] = time.Now()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				t0 := time.Now()
				resp, err := client.Post(e.url+"/v1/models/ctr:predict", "application/json", bytes.NewReader([]byte(body)))
				if err != nil {
					errs <- err
					return
				}
				var out struct {
					Version int64 `json:"model_version"`
				}
				err = json.NewDecoder(resp.Body).Decode(&out)
				resp.Body.Close()
				t1 := time.Now()
				if err != nil || resp.StatusCode != 200 {
					errs <- fmt.Errorf("status %d: %v", resp.StatusCode, err)
					return
				}
				results[c] = append(results[c], result{t0, t1, out.Version})
			}
		}()
	}
	for _, v := range vs[1:] {
		time.Sleep(5 * time.Millisecond)
		mu.Lock()
		deployStart[v] = time.Now()
		mu.Unlock()
		if _, err := st.SetStage(ctx, "ctr", v, modelstore.StageDeployed, nil); err != nil {
			t.Fatal(err)
		}
		e.waitFor(func() bool { m := e.srv.current("ctr"); return m != nil && m.version == v })
		mu.Lock()
		swapped[v] = time.Now()
		mu.Unlock()
	}
	time.Sleep(20 * time.Millisecond)
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("request failed: %v", err)
	}
	total := 0
	seen := map[int64]bool{}
	for c, rs := range results {
		total += len(rs)
		last := int64(0)
		for _, r := range rs {
			if r.version < last {
				t.Fatalf("client %d: version went back from %d to %d", c, last, r.version)
			}
			last = r.version
			seen[r.version] = true
			start, ok := deployStart[r.version]
			if !ok {
				t.Fatalf("client %d: version %d was never deployed", c, r.version)
			}
			// Valid from its deploy call until the server swapped to the
			// next version.
			end, next := time.Time{}, r.version+1
			if s, ok := swapped[next]; ok {
				end = s
			}
			if r.t1.Before(start) || !end.IsZero() && r.t0.After(end) {
				t.Fatalf("client %d: version %d answered a request [%v, %v] outside its deployment [%v, %v]",
					c, r.version, r.t0, r.t1, start, end)
			}
		}
	}
	if total < n {
		t.Fatalf("only %d requests", total)
	}
	// The clients kept up with the swaps (each version is served for a
	// few milliseconds at least): most versions answered some request,
	// so the checks above ran across swaps, not around them.
	if len(seen) < n/2 {
		t.Fatalf("only %d of %d versions answered a request", len(seen), n)
	}
	t.Logf("%d requests, %d versions seen", total, len(seen))
}
