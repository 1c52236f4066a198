package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestQuickstartBoundedRunsTheWholeFlow(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "qs")
	out, errOut, code := run(t, "quickstart", "--serve=false", "--dir", dir, "--online-rows", "60000")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	for _, want := range []string{
		": succeeded", "ingest_train#1", "train#1", "validate#1", "deploy#1", "learn#1",
		"online ftrl @", "deployed @champion", "ftrl learned 60000 rows", "prequential auc 0.7",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "serve#1") {
		t.Errorf("--serve=false started the server:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "quickstart.yaml")); err != nil {
		t.Errorf("the flow file is not written: %v", err)
	}
}

// TestQuickstartServesOnlineVersionsWithoutAFailedRequest runs the
// quickstart flow with the server and a bounded live stream, querying
// the server over HTTP the whole time: predictions come from the
// deployed batch version first, then from versions the online learner
// published, and no request fails.
func TestQuickstartServesOnlineVersionsWithoutAFailedRequest(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := filepath.Join(t.TempDir(), "qs")

	done := make(chan struct{})
	var out, errOut bytes.Buffer
	code := -1
	go func() {
		defer close(done)
		code = Main(context.Background(), []string{"quickstart", "--dir", dir, "--addr", addr,
			"--online-rows", "150000", "--rate", "40000"}, &out, &errOut)
	}()

	type seen struct {
		versions []int64
		failures []string
	}
	const clients = 2
	results := make([]seen, clients)
	var wg sync.WaitGroup
	body := `{"instances":[{"x0":0.5,"x1":-1.2,"x2":0.3,"x3":0.8,"c0":"c0_3","c1":"c1_0","c2":"c2_1"}]}`
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hc := &http.Client{Timeout: 5 * time.Second}
			r := &results[c]
			for {
				select {
				case <-done:
					return
				default:
				}
				resp, err := hc.Post("http://"+addr+"/v1/models/ctr:predict", "application/json", strings.NewReader(body))
				if err != nil { // not listening yet, or stopped at the end of the flow
					time.Sleep(20 * time.Millisecond)
					continue
				}
				var pr struct {
					Predictions  []map[string]any `json:"predictions"`
					ModelVersion int64            `json:"model_version"`
				}
				derr := json.NewDecoder(resp.Body).Decode(&pr)
				resp.Body.Close()
				switch {
				case len(r.versions) == 0 && resp.StatusCode != http.StatusOK:
					// no version deployed yet
					time.Sleep(20 * time.Millisecond)
				case resp.StatusCode != http.StatusOK || derr != nil || len(pr.Predictions) != 1:
					r.failures = append(r.failures, fmt.Sprintf("status %d, decode %v, %d predictions", resp.StatusCode, derr, len(pr.Predictions)))
				default:
					r.versions = append(r.versions, pr.ModelVersion)
				}
			}
		}()
	}
	select {
	case <-done:
	case <-time.After(4 * time.Minute):
		t.Fatal("the bounded quickstart did not end in 4 minutes")
	}
	wg.Wait()
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errOut.String(), out.String())
	}
	distinct := map[int64]bool{}
	for c, r := range results {
		if len(r.failures) > 0 {
			t.Errorf("client %d: %d failed requests after the first answer, e.g. %s", c, len(r.failures), r.failures[0])
		}
		if len(r.versions) == 0 {
			t.Fatalf("client %d got no prediction\n%s", c, out.String())
		}
		for i, v := range r.versions {
			distinct[v] = true
			if i > 0 && v < r.versions[i-1] {
				t.Errorf("client %d: version went back from %d to %d", c, r.versions[i-1], v)
			}
		}
		if first, last := r.versions[0], r.versions[len(r.versions)-1]; last <= first {
			t.Errorf("client %d: answered by version %d first and %d last: no online version replaced the batch one", c, first, last)
		}
	}
	if len(distinct) < 2 {
		t.Errorf("saw versions %v; want the batch version and online ones", distinct)
	}
	if !strings.Contains(out.String(), "online ftrl @") {
		t.Errorf("no online version registered:\n%s", out.String())
	}
	t.Logf("versions answering: %v", distinct)
}
