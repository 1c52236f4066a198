package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKernelInstall(t *testing.T) {
	prefix := t.TempDir()
	out, stderr, code := run(t, "kernel", "install", "--prefix", prefix)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	dir := filepath.Join(prefix, "share", "jupyter", "kernels", "eddy")
	if !strings.Contains(out, dir) {
		t.Errorf("stdout %q", out)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "kernel.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Argv        []string `json:"argv"`
		DisplayName string   `json:"display_name"`
		Language    string   `json:"language"`
	}
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatal(err)
	}
	if len(spec.Argv) != 4 || !filepath.IsAbs(spec.Argv[0]) || spec.Argv[1] != "kernel" || spec.Argv[3] != "{connection_file}" ||
		spec.DisplayName != "Eddy (gpython)" || spec.Language != "python" {
		t.Errorf("kernel.json:\n%s", raw)
	}
	if _, err := os.Stat(spec.Argv[0]); err != nil {
		t.Errorf("argv[0]: %v", err)
	}

	// --user honours JUPYTER_DATA_DIR.
	data := t.TempDir()
	t.Setenv("JUPYTER_DATA_DIR", data)
	if _, stderr, code := run(t, "kernel", "install", "--user", "--name", "eddy-test"); code != 0 {
		t.Fatalf("--user: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(data, "kernels", "eddy-test", "kernel.json")); err != nil {
		t.Error(err)
	}
	if _, stderr, code := run(t, "kernel", "install", "--user", "--prefix", prefix); code != 1 || !strings.Contains(stderr, "exclude") {
		t.Errorf("--user --prefix: exit %d: %s", code, stderr)
	}
}

func TestKernelBadConnectionFile(t *testing.T) {
	if _, stderr, code := run(t, "kernel"); code != 1 || !strings.Contains(stderr, "--connection-file is required") {
		t.Errorf("no flag: exit %d: %s", code, stderr)
	}
	path := filepath.Join(t.TempDir(), "kernel-x.json")
	if err := os.WriteFile(path, []byte(`{"transport": "udp"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := run(t, "kernel", "--connection-file", path); code != 1 || !strings.Contains(stderr, path+`: field "transport"`) {
		t.Errorf("bad file: exit %d: %s", code, stderr)
	}
}
