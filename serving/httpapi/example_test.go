package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/estimators/logreg"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/serving/httpapi"
	"github.com/eddyml/eddy/serving/modelstore"
	"github.com/eddyml/eddy/transformers/vectorassembler"
)

// deployExample fits vector_assembler + logistic regression on two
// features (label 1 when x+y > 0), stores it in an embedded registry in
// dir with its input schema and deploys it as model "ctr" version 1.
func deployExample(ctx context.Context, dir string) (modelstore.Store, error) {
	xs := []float64{-2, -1.5, -1, -0.5, 0.5, 1, 1.5, 2}
	ys := []float64{-1, -2, -0.5, -1, 1, 0.5, 2, 1}
	labels := []int64{0, 0, 0, 0, 1, 1, 1, 1}
	rec, err := table.Build(memory.NewGoAllocator(), table.Col("x", xs), table.Col("y", ys), table.Col("label", labels))
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	tbl, err := table.New(rec.Schema(), rec)
	if err != nil {
		return nil, err
	}
	defer tbl.Release()
	va, err := vectorassembler.New(map[string]any{"input_cols": []string{"x", "y"}, "output_col": "features"})
	if err != nil {
		return nil, err
	}
	lr, err := logreg.New(nil)
	if err != nil {
		return nil, err
	}
	p, err := pipeline.NewPipeline(va, lr)
	if err != nil {
		return nil, err
	}
	r := tbl.Reader()
	defer r.Release()
	m, err := p.Fit(ctx, r)
	if err != nil {
		return nil, err
	}
	in, err := table.Select(rec, "x", "y")
	if err != nil {
		return nil, err
	}
	defer in.Release()
	var info modelstore.Info
	if err := httpapi.SetInputSchema(&info, in.Schema()); err != nil {
		return nil, err
	}
	httpapi.SetOutputCols(&info, "prediction")
	st, err := modelstore.OpenDir(dir, nil)
	if err != nil {
		return nil, err
	}
	v, err := modelstore.PutStage(ctx, st, "ctr", m, info, nil)
	if err == nil {
		_, err = st.SetStage(ctx, "ctr", v.Version, modelstore.StageValidated, nil)
	}
	if err == nil {
		_, err = st.SetStage(ctx, "ctr", v.Version, modelstore.StageDeployed, nil)
	}
	if err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// waitReady polls GET url until it answers 200.
func waitReady(url string) error {
	for range 500 {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("%s: not ready", url)
}

// A server over an embedded registry answers a two-row predict request
// with the version that scored it.
func ExampleNew() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir, err := os.MkdirTemp("", "eddy-serve-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	st, err := deployExample(ctx, dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()

	srv, err := httpapi.New(st, httpapi.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, ln) }() // loads deployed models, follows deploys
	base := "http://" + ln.Addr().String()
	if err := waitReady(base + "/readyz"); err != nil {
		fmt.Println(err)
		return
	}

	resp, err := http.Post(base+"/v1/models/ctr:predict", "application/json",
		strings.NewReader(`{"instances":[{"x":1.5,"y":2},{"x":-1,"y":-1.5}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Eddy-Model-Version"))
	fmt.Print(string(body))

	// A missing feature is a 400 naming the row and the column.
	resp, err = http.Post(base+"/v1/models/ctr:predict", "application/json", strings.NewReader(`{"instances":[{"x":1}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode)
	fmt.Print(string(body))

	cancel()
	fmt.Println("shutdown:", <-done)
	// Output:
	// 200 1
	// {"model":"ctr","model_version":1,"predictions":[{"prediction":1},{"prediction":0}]}
	// 400
	// {"error":{"code":1002,"message":"instances[0].y: missing feature"},"model_version":1}
	// shutdown: <nil>
}

// Handler mounts the routes on any mux or test server; Sync loads and
// follows the registry. Here an Open Inference Protocol v2 request with
// one tensor per input column.
func ExampleServer_Handler() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir, err := os.MkdirTemp("", "eddy-serve-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	st, err := deployExample(ctx, dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()
	srv, err := httpapi.New(st, httpapi.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	synced := make(chan struct{})
	go func() { srv.Sync(ctx); close(synced) }()
	defer func() { cancel(); <-synced }()
	if err := waitReady(ts.URL + "/v2/health/ready"); err != nil {
		fmt.Println(err)
		return
	}

	resp, err := http.Post(ts.URL+"/v2/models/ctr/infer", "application/json", strings.NewReader(`{"inputs":[
		{"name":"x","shape":[2],"datatype":"FP64","data":[1.5,-1]},
		{"name":"y","shape":[2],"datatype":"FP64","data":[2,-1.5]}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var out struct {
		ModelName    string `json:"model_name"`
		ModelVersion string `json:"model_version"`
		Outputs      []struct {
			Name string    `json:"name"`
			Data []float64 `json:"data"`
		} `json:"outputs"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.StatusCode, out.ModelName, out.ModelVersion)
	for _, o := range out.Outputs {
		fmt.Println(o.Name, o.Data)
	}
	// Output:
	// 200 ctr 1
	// prediction [1 0]
}
