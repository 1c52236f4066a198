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
	iris, err := filepath.Abs("../../../shared/datasets/iris.csv.gz")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(iris); err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "s.py")
	src := "import eddy\nimport sys\nt = eddy.read_csv(\"" + iris + "\")\nprint(\"rows\", t.num_rows())\nprint(sys.argv[1])\nx = 1 / 0\n"
	if err := os.WriteFile(script, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"python", script, "arg1"}, &stdout, &stderr)
	if code != 1 || stdout.String() != "rows 150\narg1\n" || !strings.Contains(stderr.String(), "s.py:6: ZeroDivisionError") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
}
