package cli

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eddyml/eddy/flows/scheduler/runstore"
)

// TestFlowRunLocked: `eddy flow run` of a flow another process runs
// fails at once, naming the lock file and the holder's pid, and the
// checkpoint directory follows stores.checkpoints.
func TestFlowRunLocked(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	path := filepath.Join(dir, "f.yaml")
	src := `name: locked
stores: {registry: "file://` + filepath.Join(dir, "reg") + `", state: ` + state + `, checkpoints: ` + filepath.Join(dir, "ck") + `}
jobs:
  a: {kind: shell, command: sh, args: [-c, 'echo "$EDDY_CHECKPOINT_DIR" > ck.txt']}
`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := runstore.OpenDir(state)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l, err := st.Lock(context.Background(), "locked")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, stderr, code := run(t, "flow", "run", path)
	lockFile := filepath.Join(state, "locked.lock")
	if code != 1 || !strings.Contains(stderr, "flow is already running") || !strings.Contains(stderr, lockFile) ||
		!strings.Contains(stderr, "pid "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("run while locked: exit %d\n%s", code, stderr)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("took %v to fail", el)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if out, stderr, code := run(t, "flow", "run", path); code != 0 {
		t.Fatalf("run after release: exit %d\n%s\n%s", code, out, stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, "ck.txt"))
	if got := strings.TrimSpace(string(data)); err != nil || !strings.HasPrefix(got, filepath.Join(dir, "ck", "locked")+"/") || !strings.HasSuffix(got, "/a#1") {
		t.Errorf("EDDY_CHECKPOINT_DIR %q %v, want ck/locked/RUN/a#1", got, err)
	}
}
