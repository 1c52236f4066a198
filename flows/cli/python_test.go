package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPythonCmd(t *testing.T) {
	data := datasetsDir(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "s.py")
	src := "import eddy\nimport sys\nt = eddy.read_csv(\"" + data + "/iris.csv.gz\")\nprint(\"rows\", t.num_rows())\nprint(sys.argv[1])\nx = 1 / 0\n"
	if err := os.WriteFile(script, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"python", script, "arg1"}, &stdout, &stderr)
	if code != 1 || stdout.String() != "rows 150\narg1\n" || !strings.Contains(stderr.String(), "s.py:6: ZeroDivisionError") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}

	// A Go error raised by an eddy function points at the script line.
	if err := os.WriteFile(script, []byte("import eddy\n\nm = eddy.load(\""+filepath.Join(dir, "missing.tar")+"\")\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	stderr.Reset()
	code = Main(context.Background(), []string{"python", script}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "s.py:3: RuntimeError: eddy.load: ") || !strings.Contains(stderr.String(), "m = eddy.load(") {
		t.Errorf("exit %d\nstderr:\n%s", code, stderr.String())
	}
}

// TestPythonTrainScript runs the example training script of
// flows/pyscript through the CLI and checks what it left: a model file
// and a deployed registry version.
func TestPythonTrainScript(t *testing.T) {
	data := datasetsDir(t)
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"python", "../pyscript/testdata/train.py", data, out}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	for _, want := range []string{"accuracy > 0.9 True", "version 1 deployed", "registry model True"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
		}
	}
	if _, err := os.Stat(filepath.Join(out, "model.tar")); err != nil {
		t.Error(err)
	}
	stdout.Reset()
	code = Main(context.Background(), []string{"models", "list", "--registry", "file://" + filepath.Join(out, "registry")}, &stdout, &stderr)
	if code != 0 || !strings.Contains(stdout.String(), "breast_cancer") {
		t.Errorf("models list: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
}
