package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/eddyml/eddy/serving/httpapi"
	"github.com/eddyml/eddy/serving/modelstore"
)

// TestServeCommand runs `eddy serve` over a registry whose deployed
// model has its input schema, with and without --fast-lane, and checks
// that both answer a predict request over HTTP with the same bytes.
func TestServeCommand(t *testing.T) {
	reg := registryWithModel(t)
	st, err := modelstore.Open(context.Background(), reg)
	if err != nil {
		t.Fatal(err)
	}
	// Version 3: version 2's model with the serving input schema, so
	// single-row requests take the row path (and the fast lane).
	m, err := modelstore.LoadStage(context.Background(), st, "ctr", 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	var info modelstore.Info
	in := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Float64}, {Name: "b", Type: arrow.PrimitiveTypes.Float64}}, nil)
	if err := httpapi.SetInputSchema(&info, in); err != nil {
		t.Fatal(err)
	}
	httpapi.SetOutputCols(&info, "prediction", "probability")
	v3, err := modelstore.PutStage(context.Background(), st, "ctr", m, info, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, stage := range []modelstore.Stage{modelstore.StageValidated, modelstore.StageDeployed} {
		if _, err := st.SetStage(context.Background(), "ctr", v3.Version, stage, nil); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	answers := map[string]string{}
	for _, fast := range []bool{true, false} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan int, 1)
		var stderr bytes.Buffer
		go func() {
			done <- Main(ctx, []string{"serve", "--registry", reg, "--addr", addr, fmt.Sprintf("--fast-lane=%v", fast)}, io.Discard, &stderr)
		}()
		url := "http://" + addr
		deadline := time.Now().Add(10 * time.Second)
		for {
			resp, err := http.Get(url + "/readyz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					break
				}
			}
			if time.Now().After(deadline) {
				cancel()
				t.Fatalf("fast lane %v: not ready: %v\n%s", fast, err, stderr.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		resp, err := http.Post(url+"/v1/models/ctr:predict", "application/json", strings.NewReader(`{"instances":[{"a":2,"b":-1}]}`))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), fmt.Sprintf(`"model_version":%d`, v3.Version)) ||
			!strings.Contains(string(body), `"prediction":1`) {
			t.Errorf("fast lane %v: %d %s", fast, resp.StatusCode, body)
		}
		answers[fmt.Sprint(fast)] = string(body)
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("fast lane %v: exit code %d\n%s", fast, code, stderr.String())
		}
	}
	if answers["true"] != answers["false"] {
		t.Errorf("answers differ:\nfast lane: %s\nnet/http:  %s", answers["true"], answers["false"])
	}
}
