package kernel

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInstallSpec(t *testing.T) {
	data := filepath.Join(t.TempDir(), "share", "jupyter")
	dir, err := InstallSpec(data, DefaultName, NewSpec("/opt/eddy/bin/eddy"))
	if err != nil {
		t.Fatal(err)
	}
	if dir != filepath.Join(data, "kernels", "eddy") {
		t.Errorf("dir %s", dir)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "kernel.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec map[string]any
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatal(err)
	}
	argv, _ := json.Marshal(spec["argv"])
	if string(argv) != `["/opt/eddy/bin/eddy","kernel","--connection-file","{connection_file}"]` ||
		spec["display_name"] != "Eddy (gpython)" || spec["language"] != "python" || spec["interrupt_mode"] != "message" {
		t.Errorf("kernel.json:\n%s", raw)
	}
	// Installing again replaces the file.
	if _, err := InstallSpec(data, DefaultName, NewSpec("/other/eddy")); err != nil {
		t.Fatal(err)
	}
	if raw, _ = os.ReadFile(filepath.Join(dir, "kernel.json")); !json.Valid(raw) || !strings.Contains(string(raw), "/other/eddy") {
		t.Errorf("reinstalled:\n%s", raw)
	}
	for _, bad := range []string{"", "a/b", ".."} {
		if _, err := InstallSpec(data, bad, NewSpec("/x")); err == nil {
			t.Errorf("name %q accepted", bad)
		}
	}
}

func TestUserDataDir(t *testing.T) {
	t.Setenv("JUPYTER_DATA_DIR", "/tmp/jd")
	if d, err := UserDataDir(); err != nil || d != "/tmp/jd" {
		t.Errorf("got %q %v", d, err)
	}
	t.Setenv("JUPYTER_DATA_DIR", "")
	t.Setenv("XDG_DATA_HOME", "/tmp/xdg")
	if d, err := UserDataDir(); err != nil || (d != "/tmp/xdg/jupyter" && d != filepath.Join(os.Getenv("HOME"), "Library", "Jupyter")) {
		t.Errorf("got %q %v", d, err)
	}
	if PrefixDataDir("/p") != "/p/share/jupyter" {
		t.Error(PrefixDataDir("/p"))
	}
}
