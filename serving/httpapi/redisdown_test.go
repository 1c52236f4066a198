package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eddyml/eddy/internal/testutil"
	"github.com/eddyml/eddy/serving/modelstore"
)

// TestRedisDownAndBack serves from a Redis registry, kills redis-server
// while clients predict over real sockets, and restarts it on the same
// port: the loaded model keeps answering every request throughout, the
// server reports not ready (/readyz, /v2/health/ready) and cannot load a
// version it does not have while Redis is down, and once Redis is back it
// is ready again and picks up a version deployed after the restart.
func TestRedisDownAndBack(t *testing.T) {
	rd := testutil.StartRedis(t, testutil.RedisAppendOnly())
	ctx := context.Background()
	st, err := modelstore.OpenRedis(ctx, rd.URL(), &modelstore.Options{
		Retry: modelstore.RetryPolicy{Attempts: 3, MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m, in := trainModel(t, 3, 200)
	vs := putVersions(t, st, "ctr", m, in, 3, true)
	if _, err := st.SetStage(ctx, "ctr", vs[0], modelstore.StageDeployed, nil); err != nil {
		t.Fatal(err)
	}
	e := startServer(t, st, Config{})
	e.waitFor(func() bool { m := e.srv.current("ctr"); return m != nil && m.version == vs[0] })

	// Clients predict continuously until the end of the test.
	const clients = 3
	body := []byte(instances(row(3, 0.5)))
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	var (
		stop     = make(chan struct{})
		wg       sync.WaitGroup
		failMu   sync.Mutex
		failures []string
		answered atomic.Int64
		maxSeen  atomic.Int64
	)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := int64(0)
			for {
				select {
				case <-stop:
					return
				default:
				}
				v, err := predictVersion(client, e.url+"/v1/models/ctr:predict", body)
				if err == nil && v < last {
					err = fmt.Errorf("version went back from %d to %d", last, v)
				}
				if err != nil {
					failMu.Lock()
					failures = append(failures, err.Error())
					failMu.Unlock()
					continue
				}
				last = v
				answered.Add(1)
				for {
					m := maxSeen.Load()
					if v <= m || maxSeen.CompareAndSwap(m, v) {
						break
					}
				}
			}
		}()
	}
	defer func() {
		close(stop)
		wg.Wait()
		if len(failures) > 0 {
			t.Errorf("%d predictions failed, first: %s", len(failures), failures[0])
		}
	}()
	status := func(path string) int {
		code, _ := e.do("GET", path, "", "")
		return code
	}
	waitAnswers := func(n int64) {
		t.Helper()
		target := answered.Load() + n
		e.waitFor(func() bool { return answered.Load() >= target })
	}
	waitAnswers(20)
	if c := status("/readyz"); c != 200 {
		t.Fatalf("/readyz = %d before the outage", c)
	}

	rd.Kill()
	e.waitFor(func() bool { return status("/readyz") == 503 })
	e.waitFor(func() bool { return status("/v2/health/ready") == 503 })
	// Down: the loaded version keeps answering; a version that is not
	// loaded cannot be, and says why.
	waitAnswers(50)
	code, out := e.do("POST", fmt.Sprintf("/v1/models/ctr/versions/%d:predict", vs[1]), "", string(body))
	if code != http.StatusServiceUnavailable || errCode(out) != int(CodeModelUnavailable) {
		t.Fatalf("pinned unloaded version while Redis is down: %d %v", code, out)
	}
	if c := status("/v2/health/live"); c != 200 {
		t.Fatalf("/v2/health/live = %d while Redis is down", c)
	}
	if up := gaugeValue(t, e, "eddy_registry_up"); up != 0 {
		t.Fatalf("eddy_registry_up = %v while Redis is down", up)
	}

	rd.Restart(t)
	e.waitFor(func() bool { return status("/readyz") == 200 })
	e.waitFor(func() bool { return status("/v2/health/ready") == 200 })
	if _, err := st.SetStage(ctx, "ctr", vs[2], modelstore.StageDeployed, nil); err != nil {
		t.Fatalf("deploy after the restart: %v", err)
	}
	e.waitFor(func() bool { return maxSeen.Load() == vs[2] })
	waitAnswers(20)
	code, out = e.do("POST", fmt.Sprintf("/v1/models/ctr/versions/%d:predict", vs[1]), "", string(body))
	if code != 200 || int64(out["model_version"].(float64)) != vs[1] {
		t.Fatalf("pinned version after the restart: %d %v", code, out)
	}
	if up := gaugeValue(t, e, "eddy_registry_up"); up != 1 {
		t.Fatalf("eddy_registry_up = %v after the restart", up)
	}
	t.Logf("%d predictions answered, none failed", answered.Load())
}

// predictVersion posts body and returns the answering model version; any
// status but 200 is an error.
func predictVersion(c *http.Client, url string, body []byte) (int64, error) {
	resp, err := c.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != 200 {
		return 0, fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	var out struct {
		Version int64 `json:"model_version"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return 0, err
	}
	if h := resp.Header.Get("Eddy-Model-Version"); h != fmt.Sprint(out.Version) {
		return 0, fmt.Errorf("header version %q, body %d", h, out.Version)
	}
	return out.Version, nil
}

// gaugeValue reads an unlabelled gauge from the server's registry.
func gaugeValue(t *testing.T, e *env, name string) float64 {
	t.Helper()
	mfs, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) == 1 {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("gauge %s not found", name)
	return 0
}
