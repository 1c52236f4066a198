package examples_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/eddyml/eddy/flows/examples"
	"github.com/eddyml/eddy/flows/scheduler/runstore"
	"github.com/eddyml/eddy/internal/testutil"
	"github.com/eddyml/eddy/serving/modelstore"
)

// TestProductionFlowOnRedisSurvivesKill runs production.yaml with the eddy
// binary against a real redis-server on the Criteo sample, kills the
// `eddy flow run` process with SIGKILL once the batch model is deployed
// and served, and runs it again: the new process resumes the run, no
// finished job runs again, no event is handled twice, and the server of
// the resumed run answers every request while a later version replaces
// the first one.
func TestProductionFlowOnRedisSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the eddy binary and runs a whole flow")
	}
	data := criteoSplits(t)
	redis := testutil.StartRedis(t)
	bin := buildEddy(t)
	work := t.TempDir()
	flowFile := filepath.Join(work, "production.yaml")
	if err := os.WriteFile(flowFile, examples.ProductionYAML, 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	env := append(os.Environ(),
		"EDDY_REDIS_URL="+redis.URL(),
		"EDDY_TRAINING_DATA="+data["train"], "EDDY_HOLDOUT_DATA="+data["holdout"], "EDDY_STREAM="+data["stream"],
		// The live stream lasts about 4 s, so the kill lands while the
		// learner runs; a gate the small sample can pass lets its version
		// through to validation against the champion.
		"EDDY_STREAM_RATE=1000", "EDDY_GATE_AUC=0.55",
		"EDDY_ADDR="+addr, "EDDY_STATE="+filepath.Join(work, "state"), "EDDY_CHECKPOINTS="+filepath.Join(work, "checkpoints"))
	start := func(name string) (*exec.Cmd, *os.File) {
		log, err := os.Create(filepath.Join(work, name+".log"))
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "flow", "run", "--follow", flowFile)
		cmd.Env, cmd.Stdout, cmd.Stderr, cmd.Dir = env, log, log, work
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, log
	}
	showLog := func(name string) string {
		b, _ := os.ReadFile(filepath.Join(work, name+".log"))
		return string(b)
	}

	// First process: kill it as soon as the batch model answers.
	first, log1 := start("first")
	v, err := waitPredict(addr, data["instance"], 90*time.Second)
	if err != nil {
		first.Process.Kill()
		first.Wait()
		t.Fatalf("first process: %v\n%s", err, showLog("first"))
	}
	// Kill while the online learner is one second into its stream.
	st := openRuns(t, redis.URL())
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if run := latestRun(t, st, "ctr-production"); run != nil && run.Instances["learn#1"] != nil && len(run.Instances["learn#1"].Attempts) > 0 {
			break
		}
	}
	time.Sleep(time.Second)
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	first.Wait()
	log1.Close()
	t.Logf("killed the first process while version %d was served and the learner ran", v)

	// Second process: resumes; clients query it the whole time.
	second, log2 := start("second")
	defer func() {
		if second.ProcessState == nil {
			second.Process.Kill()
			second.Wait()
		}
		log2.Close()
	}()
	stop := make(chan struct{})
	var (
		mu       sync.Mutex
		versions []int64
		failures []string
	)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answered := false
			for {
				select {
				case <-stop:
					return
				default:
				}
				ver, status, err := predict(addr, data["instance"])
				mu.Lock()
				switch {
				case !answered && (err != nil || status != http.StatusOK): // not up, or not ready yet
				case err != nil || status != http.StatusOK:
					failures = append(failures, fmt.Sprintf("status %d, %v", status, err))
				default:
					answered = true
					versions = append(versions, ver)
				}
				mu.Unlock()
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	// The run is over when every job instance is done (the flow follows
	// events, so the process keeps serving): the retrain on drift or an
	// online version registers a later version, which validate and deploy
	// move to the server.
	deadline := time.Now().Add(2 * time.Minute)
	var run *runstore.Run
	for {
		run = latestRun(t, st, "ctr-production")
		mu.Lock()
		maxV := int64(0)
		for _, x := range versions {
			maxV = max(maxV, x)
		}
		mu.Unlock()
		if run != nil && allBoundedDone(run) && maxV > v {
			break
		}
		if time.Now().After(deadline) {
			close(stop)
			wg.Wait()
			t.Fatalf("the resumed run did not finish and serve a later version in 2 minutes (served up to %d)\n%s\n%s", maxV, showLog("first"), showLog("second"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // a few more answers from the last version
	close(stop)
	wg.Wait()
	if err := second.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	second.Wait()

	if len(failures) > 0 {
		t.Errorf("%d failed requests while the resumed run swapped versions, e.g. %s", len(failures), failures[0])
	}
	if run.Resumes < 1 {
		t.Errorf("the second process started a new run instead of resuming (resumes %d)", run.Resumes)
	}
	// No finished job ran again: the jobs before the kill ran once each,
	// and every event created at most one instance of each job.
	for _, job := range []string{"ingest", "ingest_holdout", "train"} {
		n, attempts := 0, 0
		for _, in := range run.Instances {
			if in.Job == job {
				n++
				attempts += len(in.Attempts)
				if in.Status != "succeeded" {
					t.Errorf("%s: status %s (%s)", in.ID, in.Status, in.Error)
				}
			}
		}
		if n != 1 || attempts != 1 {
			t.Errorf("job %s: %d instances with %d attempts, want 1 and 1 (a job finished before the kill must not run again)", job, n, attempts)
		}
	}
	causes := map[string]string{}
	for _, id := range run.Order {
		in := run.Instances[id]
		key := in.Job + " <- " + in.Cause
		if other, dup := causes[key]; dup && in.Trigger != nil {
			t.Errorf("event handled twice: %s and %s both from %s", other, id, in.Cause)
		}
		causes[key] = id
	}
	// No event lost: every registered version was validated once.
	reg, err := modelstore.Open(context.Background(), redis.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	page, _, err := reg.ListVersions(context.Background(), "ctr", modelstore.ListOptions{Limit: modelstore.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	validated := map[int64]int{}
	for _, in := range run.Instances {
		if in.Job == "validate" && in.Trigger != nil {
			validated[in.Trigger.Version]++
		}
	}
	for _, v := range page {
		if validated[v.Version] != 1 {
			t.Errorf("version %d (%s) was validated %d times, want once", v.Version, v.Stage, validated[v.Version])
		}
	}
	learnAttempts := 0
	for _, in := range run.Instances {
		if in.Job == "learn" {
			learnAttempts += len(in.Attempts)
		}
	}
	t.Logf("served versions %d..%d over %d answers; %d versions registered; learn attempts %d; instances %v",
		versions[0], versions[len(versions)-1], len(versions), len(page), learnAttempts, run.Order)
}

// criteoSplits cuts the shared Criteo sample into a training, a held-out
// and a live-stream CSV (3000, 1000 and 4000 rows).
func criteoSplits(t *testing.T) map[string]string {
	t.Helper()
	path, err := filepath.Abs("../../../shared/datasets/ctr_criteo_kaggle_8k.csv.gz")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared datasets missing under CI: %v", err)
		}
		t.Skipf("shared datasets not found: %v", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	if !sc.Scan() {
		t.Fatal("empty dataset")
	}
	header := sc.Text()
	dir := t.TempDir()
	out := map[string]string{}
	for _, part := range []struct {
		name string
		rows int
	}{{"train", 3000}, {"holdout", 1000}, {"stream", 4000}} {
		p := filepath.Join(dir, part.name+".csv")
		var b strings.Builder
		b.WriteString(header + "\n")
		for i := 0; i < part.rows && sc.Scan(); i++ {
			b.WriteString(sc.Text() + "\n")
		}
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		out[part.name] = p
		if part.name == "stream" {
			// A row with empty cells: the trained version declares its
			// input columns nullable, so the server types the nulls.
			for _, row := range strings.Split(b.String(), "\n")[1:] {
				if strings.Contains(","+row+",", ",,") {
					out["instance"] = instanceJSON(t, header, row)
					break
				}
			}
			if out["instance"] == "" {
				t.Fatal("no stream row with empty cells")
			}
		}
	}
	return out
}

// instanceJSON renders a CSV row as a predict request's instance: the
// integer features as numbers, the categorical ones as strings, empty
// cells as null, without the label.
func instanceJSON(t *testing.T, header, row string) string {
	t.Helper()
	names, vals := strings.Split(header, ","), strings.Split(row, ",")
	inst := map[string]any{}
	for i, n := range names {
		switch {
		case n == "label":
		case vals[i] == "":
			inst[n] = nil
		case strings.HasPrefix(n, "I"):
			inst[n] = json.Number(vals[i])
		default:
			inst[n] = vals[i]
		}
	}
	b, err := json.Marshal(map[string]any{"instances": []any{inst}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func buildEddy(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "eddy")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/eddy")
	cmd.Dir = "../.."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

var client = &http.Client{Timeout: 5 * time.Second}

// predict asks for one prediction; it returns the answering version.
func predict(addr, body string) (int64, int, error) {
	resp, err := client.Post("http://"+addr+"/v1/models/ctr:predict", "application/json", strings.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	var pr struct {
		Predictions  []map[string]any `json:"predictions"`
		ModelVersion int64            `json:"model_version"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&pr); err != nil {
		return 0, resp.StatusCode, err
	}
	if resp.StatusCode == http.StatusOK && len(pr.Predictions) != 1 {
		return 0, resp.StatusCode, fmt.Errorf("%d predictions for one instance", len(pr.Predictions))
	}
	return pr.ModelVersion, resp.StatusCode, nil
}

// waitPredict waits until the server answers a prediction.
func waitPredict(addr, body string, timeout time.Duration) (int64, error) {
	deadline := time.Now().Add(timeout)
	for {
		v, status, err := predict(addr, body)
		if err == nil && status == http.StatusOK {
			return v, nil
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("no prediction from %s in %v (last: status %d, %v)", addr, timeout, status, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func openRuns(t *testing.T, url string) runstore.Store {
	t.Helper()
	st, err := runstore.Open(context.Background(), url, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func latestRun(t *testing.T, st runstore.Store, flow string) *runstore.Run {
	t.Helper()
	run, err := runstore.Latest(context.Background(), st, flow)
	if err != nil {
		return nil
	}
	return run
}

// allBoundedDone reports whether every instance but the long-running
// serve is done.
func allBoundedDone(run *runstore.Run) bool {
	for _, in := range run.Instances {
		if in.Job != "serve" && !in.Done() {
			return false
		}
	}
	return len(run.Instances) > 0
}
